package provider

import (
	"context"
	"sync"
	"time"
)

// listTTL bounds how long one list call serves reads. A refresh reads every
// resource of a configuration at about the same time, so one list call
// serves all of them. This provider's own changes drop the list at once
// (forget), so the TTL only bounds how stale a view of changes made
// elsewhere can be within one OpenTofu command. It is long enough for a plan
// of a few hundred resources on a slow machine.
const listTTL = 5 * time.Minute

// listCache shares one list call of an API collection among the concurrent
// reads of a plan. Its zero value is ready to use.
type listCache[T any] struct {
	mu sync.Mutex
	// current is the running or last finished fetch; nil when there is none
	// or it was dropped.
	current *listFetch[T]
}

// listFetch is one list call; done is closed when it ends.
type listFetch[T any] struct {
	done      chan struct{}
	fetchedAt time.Time
	byKey     map[string]T
	err       error
}

// get returns the item with the given key from a list fetched at most
// listTTL ago, calling list when there is none. Callers that arrive while a
// fetch runs wait for it. found is false when the list lacks the key.
func (c *listCache[T]) get(ctx context.Context, key string, list func(context.Context) ([]T, error), keyOf func(T) string) (item *T, found bool, err error) {
	c.mu.Lock()
	f := c.current
	if f != nil && !f.fetchedAt.IsZero() && time.Since(f.fetchedAt) > listTTL {
		f = nil
	}
	if f == nil {
		f = &listFetch[T]{done: make(chan struct{})}
		c.current = f
		c.mu.Unlock()
		c.fetch(ctx, f, list, keyOf)
	} else {
		c.mu.Unlock()
	}

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	if f.err != nil {
		return nil, false, f.err
	}
	listed, ok := f.byKey[key]
	if !ok {
		return nil, false, nil
	}
	return &listed, true, nil
}

func (c *listCache[T]) fetch(ctx context.Context, f *listFetch[T], list func(context.Context) ([]T, error), keyOf func(T) string) {
	items, err := list(ctx)

	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		f.err = err
		// A failed fetch is not kept: the next read tries again.
		if c.current == f {
			c.current = nil
		}
	} else {
		f.byKey = make(map[string]T, len(items))
		for _, item := range items {
			f.byKey[keyOf(item)] = item
		}
		f.fetchedAt = time.Now()
	}
	close(f.done)
}

// forget drops the cached list, so that the next read fetches a new one.
func (c *listCache[T]) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.current = nil
}
