package main

import udiff "github.com/aymanbagabas/go-udiff"

func unified(path, a, b string) string {
	return udiff.Unified("a/"+path, "b/"+path, a, b)
}
