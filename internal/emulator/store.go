package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sync"
	"time"
)

// Clock is the emulator's source of time. Tests inject a ManualClock so that token expiry and
// time-based lifecycle stages advance without sleeping.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only through Advance and Set. It is safe for concurrent use.
type ManualClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewManualClock returns a clock stopped at start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t, forward or backward.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// idSeed makes ids and tokens look random while staying reproducible from one run to the next.
const idSeed = "verda-emulator"

// state is the emulator's whole state. Only code holding Emulator.mu touches it, and every request
// does its work in one Emulator.do call, so no request reads the state while another is half done.
type state struct {
	clock         Clock
	stagePolls    int
	stageDuration time.Duration

	idCounter uint64
	// changed records that the current do call modified persisted state, so that the state file is written.
	changed bool

	volumes             map[string]*volume
	volumeOrder         []string
	deployments         map[string]*deployment
	deploymentOrder     []string
	secrets             map[string]*secret
	fileSecrets         map[string]*fileSecret
	registryCredentials map[string]*registryCredential
	compute             []computeResource
	images              map[string]ImageBehavior
	deleteDelay         int
	tokens              map[string]*token

	// Faults and the request log share the lock but are not persisted.
	faults     []*Fault
	requests   []RequestRecord
	requestSeq int
}

func newState(clock Clock, stagePolls int, stageDuration time.Duration) *state {
	st := &state{clock: clock, stagePolls: stagePolls, stageDuration: stageDuration, tokens: map[string]*token{}}
	st.resetResources()
	return st
}

// resetResources empties every API object and restores the catalog defaults. Tokens, faults and the
// request log survive, so connected clients stay signed in across a reset.
func (st *state) resetResources() {
	st.volumes = map[string]*volume{}
	st.volumeOrder = nil
	st.deployments = map[string]*deployment{}
	st.deploymentOrder = nil
	st.secrets = map[string]*secret{}
	st.fileSecrets = map[string]*fileSecret{}
	st.registryCredentials = map[string]*registryCredential{}
	st.compute = defaultComputeResources()
	st.images = map[string]ImageBehavior{}
	st.deleteDelay = 0
	st.touch()
}

func (st *state) now() time.Time { return st.clock.Now().UTC() }

func (st *state) touch() { st.changed = true }

// newID returns a UUID-shaped id (version 4 layout) derived from a counter.
func (st *state) newID() string {
	st.idCounter++
	st.touch()
	return uuidFromSeed(fmt.Sprintf("id/%d", st.idCounter))
}

// uuidFromSeed formats the SHA-256 of idSeed and seed as a version 4 UUID.
func uuidFromSeed(seed string) string {
	sum := sha256.Sum256([]byte(idSeed + "/" + seed))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newTokenValue returns a 43-character URL-safe token derived from a counter.
func (st *state) newTokenValue(kind string) string {
	st.idCounter++
	st.touch()
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s/%d", idSeed, kind, st.idCounter))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// do runs fn with the state locked. When fn changed persisted state it bumps the version and, with a
// state file configured, writes the file after releasing the lock.
func (e *Emulator) do(fn func(st *state) *apiError) *apiError {
	e.mu.Lock()
	e.st.changed = false
	err := fn(e.st)

	var data []byte
	var version uint64
	if e.st.changed {
		e.version++
		version = e.version
		if e.opts.StateFile != "" {
			var marshalErr error
			data, marshalErr = marshalSnapshot(e.st)
			if marshalErr != nil {
				e.logger.Error("encoding the emulator state failed", "error", marshalErr)
				data = nil
			}
		}
	}
	e.mu.Unlock()

	if data != nil {
		e.writeStateFile(version, data)
	}
	return err
}

// read runs fn with the state locked, for callers that cannot change persisted state.
func (e *Emulator) read(fn func(st *state)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fn(e.st)
}
