package bench

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// tokenKind is the kind of POST /v1/oauth2/token, counted apart from the
// API requests.
const tokenKind = "POST /v1/oauth2/token"

// collectionsWithIDs are the API paths whose next segment is an object's
// name or ID; requestKind replaces that segment with a placeholder.
var collectionsWithIDs = []struct {
	prefix      string
	placeholder string
	// fixed are segments that name an endpoint, not an object.
	fixed []string
}{
	{prefix: "/v1/container-deployments/", placeholder: "{name}"},
	{prefix: "/v1/volumes/", placeholder: "{id}", fixed: []string{"trash"}},
	{prefix: "/v1/secrets/", placeholder: "{name}"},
	{prefix: "/v1/file-secrets/", placeholder: "{name}"},
	{prefix: "/v1/container-registry-credentials/", placeholder: "{name}"},
	{prefix: "/inference/", placeholder: "{name}"},
}

// uuidSegment matches a path segment that is a UUID, such as a ComfyUI
// prompt ID in /inference/{name}/history/<id>.
var uuidSegment = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// requestKind returns the method and the path with object names and IDs
// replaced, such as "GET /v1/container-deployments/{name}/scaling".
func requestKind(method, path string) string {
	segments := strings.Split(path, "/")
	for i, segment := range segments {
		if uuidSegment.MatchString(segment) {
			segments[i] = "{id}"
		}
	}
	path = strings.Join(segments, "/")
	for _, c := range collectionsWithIDs {
		rest, ok := strings.CutPrefix(path, c.prefix)
		if !ok || rest == "" {
			continue
		}
		segment, tail, hasTail := strings.Cut(rest, "/")
		for _, f := range c.fixed {
			if segment == f {
				return method + " " + path
			}
		}
		templated := c.prefix + c.placeholder
		if hasTail {
			templated += "/" + tail
		}
		return method + " " + templated
	}
	return method + " " + path
}

// requestTally counts requests by kind.
type requestTally struct {
	Token  int
	API    int
	ByKind map[string]int
}

func tallyRequests(records []emulator.RequestRecord) requestTally {
	t := requestTally{ByKind: map[string]int{}}
	for _, rec := range records {
		kind := requestKind(rec.Method, rec.Path)
		t.ByKind[kind]++
		if kind == tokenKind {
			t.Token++
			continue
		}
		t.API++
	}
	return t
}

// String lists the kinds, the most frequent first, such as
// "200× GET /v1/container-deployments/{name}/scaling, 1× GET /v1/container-deployments".
func (t requestTally) String() string {
	kinds := make([]string, 0, len(t.ByKind))
	for kind := range t.ByKind {
		kinds = append(kinds, kind)
	}
	sort.Slice(kinds, func(i, j int) bool {
		if t.ByKind[kinds[i]] != t.ByKind[kinds[j]] {
			return t.ByKind[kinds[i]] > t.ByKind[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, kind := range kinds {
		parts[i] = fmt.Sprintf("%d× %s", t.ByKind[kind], kind)
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}
