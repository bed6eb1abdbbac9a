package verda

import (
	"sort"
	"strings"
	"sync"
)

// redactor replaces every registered secret in a string with a fixed mask.
// Secrets shorter than four characters are ignored, because masking them
// would mangle ordinary words.
type redactor struct {
	mu      sync.RWMutex
	secrets map[string]struct{}
}

const secretMask = "(sensitive value)"

func newRedactor() *redactor {
	return &redactor{secrets: map[string]struct{}{}}
}

func (r *redactor) add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, v := range values {
		if len(v) >= 4 {
			r.secrets[v] = struct{}{}
		}
	}
}

func (r *redactor) redact(s string, extra ...string) string {
	r.mu.RLock()
	values := make([]string, 0, len(r.secrets)+len(extra))
	for v := range r.secrets {
		values = append(values, v)
	}
	r.mu.RUnlock()
	for _, v := range extra {
		if len(v) >= 4 {
			values = append(values, v)
		}
	}
	// Longest first, so that a secret containing another is masked whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		s = strings.ReplaceAll(s, v, secretMask)
	}
	return s
}
