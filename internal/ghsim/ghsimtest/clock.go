package ghsimtest

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake clock for tests: it moves only when told to, or when
// something sleeps on it. It is safe for concurrent use. Pass Now to
// whatever reads time (the simulator, Baton's options) and Sleep or
// SleepContext to whatever waits, so no test waits on the wall clock.
//
// A clock from NewWallClock reads the wall clock plus an offset that
// Advance, Set and Sleep move instead: for a world whose other side keeps
// real time (a subprocess, a client signing App JWTs with time.Now).
type Clock struct {
	mu   sync.Mutex
	now  time.Time     // a fixed clock's time
	wall bool          // the clock reads time.Now plus offset
	off  time.Duration // a wall clock's offset
}

// DefaultStart is the time a World's clock starts at when WorldOptions
// names none.
var DefaultStart = time.Date(2026, 11, 26, 5, 38, 58, 0, time.UTC)

// NewClock returns a clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// NewWallClock returns a clock reading the wall clock, moved ahead of it
// by Advance and Sleep: "later" without waiting, while a party that signs
// with the real time (an App JWT) is never ahead of the simulator.
func NewWallClock() *Clock { return &Clock{wall: true} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		return time.Now().Add(c.off)
	}
	return c.now
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		c.off += d
		return
	}
	c.now = c.now.Add(d)
}

// Set sets the clock's time; a wall clock keeps running from t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wall {
		c.off = time.Until(t)
		return
	}
	c.now = t
}

// Sleep advances the clock by d and returns at once: the waiting is
// simulated, not spent.
func (c *Clock) Sleep(d time.Duration) {
	if d > 0 {
		c.Advance(d)
	}
}

// SleepContext is Sleep with the signature of forge.Options.Sleep: it
// returns the context's error when the context is already done, and
// otherwise advances the clock by d.
func (c *Clock) SleepContext(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Sleep(d)
	return nil
}
