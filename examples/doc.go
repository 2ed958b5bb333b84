// Package examples holds the sample config repository, workflows and policy
// that the README points to; its test keeps them valid.
package examples
