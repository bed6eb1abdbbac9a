package verda

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// redactor replaces every registered secret in a string with a fixed mask.
// Secrets shorter than four characters are ignored, because masking them
// would mangle ordinary words. Each secret is also masked in its URL-encoded
// and JSON-escaped forms, because a server that echoes a request body quotes
// the secret as it was sent. For example, a form body percent-encodes the
// "+", "/" and "=" of a base64 secret, and encoding/json escapes "<", ">"
// and "&".
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
		for _, form := range encodedForms(v) {
			r.secrets[form] = struct{}{}
		}
	}
}

// encodedForms returns v and the forms it takes in a query string, a URL
// path and a JSON string, or nothing when v is too short to mask.
func encodedForms(v string) []string {
	if len(v) < 4 {
		return nil
	}
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	if quoted, err := json.Marshal(v); err == nil {
		forms = append(forms, string(quoted[1:len(quoted)-1]))
	}
	return forms
}

func (r *redactor) redact(s string, extra ...string) string {
	r.mu.RLock()
	values := make([]string, 0, len(r.secrets)+len(extra))
	for v := range r.secrets {
		values = append(values, v)
	}
	r.mu.RUnlock()
	for _, v := range extra {
		values = append(values, encodedForms(v)...)
	}
	// Sort the longest secret first, so that a secret containing another is masked whole.
	sort.Slice(values, func(i, j int) bool { return len(values[i]) > len(values[j]) })
	for _, v := range values {
		s = strings.ReplaceAll(s, v, secretMask)
	}
	return s
}
