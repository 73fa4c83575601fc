package messages

import (
	"slices"
	"time"
)

// The outbox's delivery rules: how often a failed message is tried again,
// when it is given up, and how fast a channel may be sent to.

// Outbox statuses.
const (
	Pending   = "pending"   // waiting, or being tried again later
	Sent      = "sent"      // the channel accepted it; never sent again
	Dead      = "dead"      // given up after GiveUpAfter; an admin may retry or discard it
	Discarded = "discarded" // an admin gave it up for good
)

// Statuses lists the outbox statuses in the order pages show them.
var Statuses = []string{Pending, Sent, Dead, Discarded}

const (
	// FirstRetry is the wait after the first failure; each further failure doubles it.
	FirstRetry = 30 * time.Second
	// MaxRetry caps the wait between two attempts.
	MaxRetry = 2 * time.Hour
	// GiveUpAfter is how long after its event a message is still tried.
	GiveUpAfter = 24 * time.Hour
	// ChannelRest is the longest a failure pauses the other messages of its
	// channel, so that a broken robot is not hammered with each message in
	// turn, while one bad message does not hold up the rest for long.
	ChannelRest = time.Minute
)

// Backoff is the wait after the attempts-th failed attempt (1-based).
func Backoff(attempts int) time.Duration {
	d := FirstRetry
	for i := 1; i < attempts && d < MaxRetry; i++ {
		d *= 2
	}
	return min(d, MaxRetry)
}

// Retry decides what follows a failed attempt of a message created at
// created, failing for the attempts-th time at now: the time of the next
// attempt, or dead when that would be past GiveUpAfter.
func Retry(created, now time.Time, attempts int) (next time.Time, dead bool) {
	next = now.Add(Backoff(attempts))
	if next.Sub(created) > GiveUpAfter {
		return time.Time{}, true
	}
	return next, false
}

// Rate is how many messages a channel may be sent within Per.
type Rate struct {
	N   int
	Per time.Duration
}

// RateOf is a channel kind's rate limit; a zero Rate is none. Robots take
// 20 messages a minute (DESIGN.md §6).
func RateOf(k Kind) Rate {
	if k == WeCom || k == DingTalk {
		return Rate{N: 20, Per: time.Minute}
	}
	return Rate{}
}

// Admit decides whether one more message may go to a channel at now, given
// the times (Unix ms) of its recent sends: a sliding window, so that no Per
// long span ever holds more than N sends. It returns the times to keep
// (those still inside the window, plus now when admitted) and, when not
// admitted, how long until the oldest leaves the window.
func Admit(r Rate, recent []int64, now time.Time) (ok bool, keep []int64, wait time.Duration) {
	if r.N <= 0 {
		return true, nil, 0
	}
	from := now.Add(-r.Per).UnixMilli()
	for _, t := range recent {
		if t > from {
			keep = append(keep, t)
		}
	}
	slices.Sort(keep)
	if len(keep) >= r.N {
		oldest := keep[len(keep)-r.N]
		return false, keep, time.UnixMilli(oldest).Add(r.Per).Sub(now) + time.Millisecond
	}
	return true, append(keep, now.UnixMilli()), 0
}
