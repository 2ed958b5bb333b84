// Package ghsim simulates the parts of GitHub's REST API that Baton uses,
// faithfully enough that Baton cannot pass against it and fail against
// github.com: real Git object ids, GitHub's status codes and error bodies,
// pagination, rate-limit headers, App JWTs and installation tokens,
// permissions and teams, the repository activity log with server times,
// who created each API object (user ids, status creators, check-run
// apps), commit signatures, and fault injection per route or at random.
//
// ghsim is test infrastructure: it backs Baton's tests, benchmarks and
// `make demo`, listens on loopback only, and is never a dependency of the
// baton binary.
//
// A Sim is an http.Handler. Tests seed it through its Go API (seed.go),
// serve it on loopback (httptest, cmd/ghsim, or ghsimtest.NewWorld),
// drive it with any GitHub client, then read its state (state.go) and its
// request log (requestlog.go). The route table is in server.go; the
// handlers are in routes_<area>.go.
package ghsim
