package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/comfyume/terraform-provider-verda/internal/emulator"
)

// secretsValues are the secrets of one test. They are random, so a match in
// the captured text can only come from a leak.
type secretsValues struct {
	clientSecret      string
	inferenceKey      string
	secretEnvValue    string
	registryUsername  string
	registryToken     string
	fileSecretContent string
}

func newSecretsValues(t *testing.T) secretsValues {
	t.Helper()
	random := func(prefix string) string {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			t.Fatalf("reading random bytes: %v", err)
		}
		return prefix + hex.EncodeToString(b)
	}
	return secretsValues{
		clientSecret:      random("client-secret-"),
		inferenceKey:      random("inference-key-"),
		secretEnvValue:    random("hf_"),
		registryUsername:  random("registry-user-"),
		registryToken:     random("ghp_"),
		fileSecretContent: random("-----BEGIN PRIVATE KEY-----"),
	}
}

// byName returns the secrets by a name that a failure message can show.
func (v secretsValues) byName() map[string]string {
	return map[string]string{
		"client secret":                    v.clientSecret,
		"inference API key":                v.inferenceKey,
		"value of the secret hf-token":     v.secretEnvValue,
		"registry credentials username":    v.registryUsername,
		"registry credentials token":       v.registryToken,
		"content of the file secret certs": v.fileSecretContent,
	}
}

// secretsSeed is an account with one secret, one file secret and one set of
// registry credentials that hold the values of v.
func secretsSeed(t *testing.T, v secretsValues) []byte {
	t.Helper()
	snapshot := map[string]any{
		"format_version": 1,
		"volumes":        []any{},
		"deployments":    []any{},
		"secrets": []any{map[string]any{
			"name": "hf-token", "value": v.secretEnvValue, "secret_type": "generic",
		}},
		"file_secrets": []any{map[string]any{
			"name": "certs", "files": map[string][]byte{"tls.key": []byte(v.fileSecretContent)},
		}},
		"registry_credentials": []any{map[string]any{
			"name": "ghcr-private", "type": "ghcr",
			"fields": map[string]string{"username": v.registryUsername, "access_token": v.registryToken},
		}},
	}
	data, err := json.Marshal(snapshot)
	if err != nil {
		t.Fatalf("encoding the seed: %v", err)
	}
	return data
}

// newSecretsEnv starts an emulator that accepts v's client secret and
// inference key and holds the seeded secrets.
func newSecretsEnv(t *testing.T, v secretsValues) *accEnv {
	t.Helper()
	env := newAccEnv(t, func(o *emulator.Options) {
		o.ClientSecret = v.clientSecret
		o.InferenceKey = v.inferenceKey
	})
	if err := env.emu.LoadSeed(secretsSeed(t, v)); err != nil {
		t.Fatalf("loading the seed: %v", err)
	}
	return env
}

// secretsIssuedTokens returns every access and refresh token the emulator
// has issued, from its state.
func secretsIssuedTokens(t *testing.T, env *accEnv) map[string]string {
	t.Helper()
	resp, err := http.Get(env.server.URL + "/_emulator/state")
	if err != nil {
		t.Fatalf("reading the emulator state: %v", err)
	}
	defer resp.Body.Close()
	var state struct {
		Tokens []struct {
			Value string `json:"value"`
			Kind  string `json:"kind"`
		} `json:"tokens"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatalf("decoding the emulator state: %v", err)
	}
	tokens := map[string]string{}
	for i, tok := range state.Tokens {
		tokens[fmt.Sprintf("%s token %d", tok.Kind, i+1)] = tok.Value
	}
	return tokens
}

// secretsCaptureLogs sends the TRACE logs of OpenTofu and of the provider
// under test to a new file and returns its path. The logging variables are
// read by the whole process, so a test that calls it must not be parallel.
func secretsCaptureLogs(t *testing.T) string {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "tofu-trace.log")
	t.Setenv("TF_ACC_LOG_PATH", logPath)
	t.Setenv("TF_ACC_LOG", "TRACE")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_LOG_PROVIDER", "TRACE")
	return logPath
}

// secretsProviderBlock configures the provider for the emulator at baseURL
// and passes v's client secret and inference key through the environment,
// as the provider's example does. OpenTofu copies literal provider
// arguments into JSON plans, sensitive ones included, so a secret written
// in the block would leak through OpenTofu, not through the provider. Like
// secretsCaptureLogs, it needs a test that is not parallel.
func secretsProviderBlock(t *testing.T, baseURL string, v secretsValues) string {
	t.Helper()
	t.Setenv(envClientSecret, v.clientSecret)
	t.Setenv(envInferenceAPIKey, v.inferenceKey)
	return fmt.Sprintf(`
provider "verda" {
  base_url      = %q
  client_id     = %q
  poll_interval = "20ms"
  max_retries   = 3
}
`, baseURL, emulator.DefaultClientID)
}

// secretsDeployment is a deployment that uses every kind of secret
// reference: a secret environment variable, a file secret and private
// registry credentials.
func secretsDeployment(name, logLevel string, maxReplicas int) string {
	return fmt.Sprintf(`
resource "verda_comfy_deployment" "test" {
  name                 = %q
  image                = %q
  gpu                  = { type = "H200" }
  sfs_mounts           = [{ volume_id = verda_sfs.models.id }]
  env                  = { COMFYUI_LOG_LEVEL = %q }
  secret_env           = { HF_TOKEN = "hf-token" }
  secret_mounts        = [{ secret_name = "certs", mount_path = "/run/secrets/tls" }]
  registry_credentials = "ghcr-private"
  scaling              = { max_replicas = %d }
  health_probe         = { enabled = true }
}
`, name, comfyProductionImage, logLevel, maxReplicas)
}

// secretsSFSOfSize returns the SFS that the deployments mount.
func secretsSFSOfSize(size int) string {
	return fmt.Sprintf(`
resource "verda_sfs" "models" {
  name                = "secrets-sfs"
  size                = %d
  deletion_protection = false
}
`, size)
}

// secretsConfig is the whole configuration of the cycle: an SFS, the
// deployment and every data source.
func secretsConfig(provider string, sfsSize int, logLevel string, maxReplicas int) string {
	return provider + secretsSFSOfSize(sfsSize) + secretsDeployment("secrets-cycle", logLevel, maxReplicas) + `
data "verda_compute_resources" "all" {}

data "verda_sfs" "models" {
  id = verda_sfs.models.id
}

data "verda_deployment_drift" "test" {
  names    = [verda_comfy_deployment.test.name]
  baseline = { secret_env = { HF_TOKEN = "hf-token" } }

  depends_on = [verda_comfy_deployment.test]
}
`
}

// secretsCapture collects the text that OpenTofu shows or stores during a
// test: error diagnostics, human-readable plans, JSON plans and states.
type secretsCapture struct {
	mu    sync.Mutex
	texts map[string][]string
}

func (c *secretsCapture) add(kind, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.texts == nil {
		c.texts = map[string][]string{}
	}
	c.texts[kind] = append(c.texts[kind], text)
}

func (c *secretsCapture) get(kind string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.texts[kind])
}

// plan is a plan check that keeps the plan as JSON.
func (c *secretsCapture) plan() plancheck.PlanCheck { return secretsPlanCapture{c} }

// state is a state check that keeps the state as JSON.
func (c *secretsCapture) state() statecheck.StateCheck { return secretsStateCapture{c} }

type secretsPlanCapture struct{ c *secretsCapture }

func (p secretsPlanCapture) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	data, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = fmt.Errorf("encoding the plan: %w", err)
		return
	}
	p.c.add("JSON plan", string(data))
}

type secretsStateCapture struct{ c *secretsCapture }

func (s secretsStateCapture) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	data, err := json.Marshal(req.State)
	if err != nil {
		resp.Error = fmt.Errorf("encoding the state: %w", err)
		return
	}
	s.c.add("JSON state", string(data))
}

// secretsForms returns the ways a secret can appear in text: as is, and
// escaped in JSON and in a URL. OpenTofu wraps diagnostics only at spaces,
// which the random secrets lack, so wrapping needs no form of its own.
func secretsForms(secret string) []string {
	quoted, _ := json.Marshal(secret)
	return []string{secret, string(quoted[1 : len(quoted)-1]), url.QueryEscape(secret), url.PathEscape(secret)}
}

// secretsFindLeaks returns the names of the secrets that text contains.
func secretsFindLeaks(text string, secrets map[string]string) []string {
	var found []string
	for name, secret := range secrets {
		for _, form := range secretsForms(secret) {
			if strings.Contains(text, form) {
				found = append(found, name)
				break
			}
		}
	}
	slices.Sort(found)
	return found
}

// secretsAssertNoLeaks fails for each secret that appears in text, and
// shows the first line that contains it with the secret itself replaced.
func secretsAssertNoLeaks(t *testing.T, where, text string, secrets map[string]string) {
	t.Helper()
	for _, name := range secretsFindLeaks(text, secrets) {
		t.Errorf("the %s contains the %s, first in this line:\n%s", where, name, secretsLeakLine(text, secrets[name], secrets))
	}
}

// secretsLeakLine returns the first line of text that contains secret in any
// form, with that secret replaced by <secret>, every other one by <other
// secret>, and the line cut to 600 bytes around the first <secret>.
func secretsLeakLine(text, secret string, all map[string]string) string {
	for _, line := range strings.Split(text, "\n") {
		if len(secretsFindLeaks(line, map[string]string{"": secret})) == 0 {
			continue
		}
		for _, form := range secretsForms(secret) {
			line = strings.ReplaceAll(line, form, "<secret>")
		}
		for _, other := range all {
			for _, form := range secretsForms(other) {
				line = strings.ReplaceAll(line, form, "<other secret>")
			}
		}
		return truncateForMessage(line, 600)
	}
	return ""
}

func truncateForMessage(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	i := strings.Index(s, "<secret>")
	start := max(0, min(i-limit/2, len(s)-limit))
	return "…" + s[start:start+limit] + "…"
}

func TestSecretsFindLeaks_findsEncodedForms(t *testing.T) {
	secrets := map[string]string{"token": `a+b/c="d"`}
	cases := map[string]string{
		"raw":         `Authorization: Bearer a+b/c="d"`,
		"JSON":        `{"message":"a+b/c=\"d\""}`,
		"query":       `?token=a%2Bb%2Fc%3D%22d%22`,
		"not present": `nothing to see`,
	}
	for name, text := range cases {
		got := secretsFindLeaks(text, secrets)
		want := []string{"token"}
		if name == "not present" {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", name, got, want)
		}
	}
}

// TestAccSecrets_traceLogsOfCycle creates, updates, plans and destroys an SFS,
// a deployment that uses every kind of secret reference, and every data
// source, with TRACE logging on. It then searches the logs, the plan output
// and the JSON plans and states for the secrets.
//
// It is not parallel: the logging variables apply to the whole process.
func TestAccSecrets_traceLogsOfCycle(t *testing.T) {
	values := newSecretsValues(t)
	env := newSecretsEnv(t, values)
	logPath := secretsCaptureLogs(t)
	provider := secretsProviderBlock(t, env.server.BaseURL, values)
	capture := &secretsCapture{}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			// Only the plan-only step fails, on purpose: its error carries the
			// human-readable plan.
			if !strings.Contains(err.Error(), "The non-refresh plan was not empty") {
				return err
			}
			capture.add("plan output", err.Error())
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: secretsConfig(provider, 100, "INFO", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{capture.plan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{capture.state()},
			},
			{
				Config: secretsConfig(provider, 200, "DEBUG", 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectResourceAction("verda_sfs.models", plancheck.ResourceActionUpdate),
						capture.plan(),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{capture.state()},
			},
			{
				// The plan is not empty, so the framework fails the step with
				// the plan's human-readable output, which ErrorCheck keeps.
				Config:   secretsConfig(provider, 200, "WARNING", 2),
				PlanOnly: true,
			},
			{
				// The deployment goes first, because an SFS that a deployment
				// mounts is not destroyed. The final destroy removes the SFS.
				Config: provider + secretsSFSOfSize(200),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(comfyAddr, plancheck.ResourceActionDestroy),
						capture.plan(),
					},
				},
			},
		},
	})
	if t.Failed() {
		return
	}

	secrets := values.byName()
	for name, token := range secretsIssuedTokens(t, env) {
		secrets[name] = token
	}
	if len(secrets) < len(values.byName())+2 {
		t.Fatalf("the emulator issued no access and refresh tokens: %v", secrets)
	}

	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the captured logs: %v", err)
	}
	// The logs must contain the provider's own lines and the API traffic, or
	// finding no secret in them would prove nothing.
	for _, want := range []string{"configured Verda provider", "Verda API response", "/container-deployments", "ComfyUI probe passed"} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("the captured logs lack %q, so they do not cover the provider", want)
		}
	}
	secretsAssertNoLeaks(t, "TRACE log", string(logs), secrets)

	planOutputs := capture.get("plan output")
	if len(planOutputs) != 1 || !strings.Contains(planOutputs[0], "COMFYUI_LOG_LEVEL") {
		t.Errorf("the plan-only step did not capture one plan output that shows the env change: %q", planOutputs)
	}
	for _, kind := range []string{"plan output", "JSON plan", "JSON state"} {
		texts := capture.get(kind)
		if len(texts) == 0 {
			t.Errorf("no %s was captured", kind)
		}
		for i, text := range texts {
			secretsAssertNoLeaks(t, fmt.Sprintf("%s %d", kind, i+1), text, secrets)
		}
	}
}

// secretsEchoProxy is a reverse proxy between the provider and the
// emulator. While a rule is armed, it responds to the matching requests
// itself with an error that quotes the request's Authorization header and
// body, as a careless API would. Every other request goes to the emulator.
type secretsEchoProxy struct {
	target http.Handler

	mu     sync.Mutex
	rule   *secretsEchoRule
	echoed map[string]int
}

// secretsEchoRule selects the requests that get an echo as the response.
type secretsEchoRule struct {
	name       string
	method     string
	pathPrefix string
	status     int
	// plainText sends the echo as a text body instead of the API's JSON
	// error envelope, so the client's fallback for text bodies is covered.
	plainText bool
}

func newSecretsEchoProxy(t *testing.T, emulatorURL string) (*secretsEchoProxy, string) {
	t.Helper()
	target, err := url.Parse(emulatorURL)
	if err != nil {
		t.Fatalf("parsing the emulator URL: %v", err)
	}
	// The emulator builds endpoint URLs from the Host header, which the proxy
	// keeps, so inference calls pass the proxy too.
	p := &secretsEchoProxy{target: httputil.NewSingleHostReverseProxy(target), echoed: map[string]int{}}
	server := httptest.NewServer(p)
	t.Cleanup(server.Close)
	return p, server.URL
}

func (p *secretsEchoProxy) arm(rule *secretsEchoRule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rule = rule
}

func (p *secretsEchoProxy) count(name string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.echoed[name]
}

func (p *secretsEchoProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	rule := p.rule
	matched := rule != nil && r.Method == rule.method && strings.HasPrefix(r.URL.Path, rule.pathPrefix)
	if matched {
		p.echoed[rule.name]++
	}
	p.mu.Unlock()
	if !matched {
		p.target.ServeHTTP(w, r)
		return
	}

	body, _ := io.ReadAll(r.Body)
	message := fmt.Sprintf("invalid request %s %s (Authorization: %s): %s", r.Method, r.URL.Path, r.Header.Get("Authorization"), body)
	if rule.plainText {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(rule.status)
		fmt.Fprint(w, message)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(rule.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": "invalid_request", "message": message})
}

// TestAccSecrets_echoedRequestBody makes the API reject three requests with
// errors that quote their Authorization header and body. The token request
// carries the client secret, a deployment create carries the access token
// and the secret references, and a health probe carries the inference key.
// Each error must reach the diagnostics with the secret masked, and neither
// the diagnostics nor the TRACE logs may contain a secret.
//
// It is not parallel: the logging variables apply to the whole process.
func TestAccSecrets_echoedRequestBody(t *testing.T) {
	values := newSecretsValues(t)
	env := newSecretsEnv(t, values)
	proxy, proxyURL := newSecretsEchoProxy(t, env.server.URL)
	logPath := secretsCaptureLogs(t)
	provider := secretsProviderBlock(t, proxyURL+"/v1", values)
	sfs := secretsSFSOfSize(100)
	rules := []*secretsEchoRule{
		{name: "token request", method: http.MethodPost, pathPrefix: "/v1/oauth2/token", status: http.StatusBadRequest, plainText: true},
		{name: "deployment create", method: http.MethodPost, pathPrefix: "/v1/container-deployments", status: http.StatusBadRequest},
		{name: "health probe", method: http.MethodGet, pathPrefix: "/inference/", status: http.StatusUnauthorized},
	}
	var (
		mu          sync.Mutex
		diagnostics = map[string]string{}
		current     *secretsEchoRule
	)
	armStep := func(rule *secretsEchoRule) func() {
		return func() {
			mu.Lock()
			defer mu.Unlock()
			current = rule
			proxy.arm(rule)
		}
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		ErrorCheck: func(err error) error {
			mu.Lock()
			defer mu.Unlock()
			if current == nil {
				return err
			}
			diagnostics[current.name] = err.Error()
			// The final destroy must reach the emulator.
			proxy.arm(nil)
			current = nil
			return nil
		},
		Steps: []resource.TestStep{
			{
				PreConfig: armStep(rules[0]),
				Config:    provider + `data "verda_compute_resources" "all" {}`,
			},
			{
				PreConfig: armStep(rules[1]),
				Config:    provider + sfs + secretsDeployment("secrets-echo-create", "INFO", 1),
			},
			{
				PreConfig: armStep(rules[2]),
				Config:    provider + sfs + secretsDeployment("secrets-echo-probe", "INFO", 1),
			},
			{
				// The tainted deployment goes first, because an SFS that a
				// deployment mounts is not destroyed.
				PreConfig: armStep(nil),
				Config:    provider + sfs,
			},
		},
	})
	if t.Failed() {
		return
	}

	secrets := values.byName()
	for name, token := range secretsIssuedTokens(t, env) {
		secrets[name] = token
	}
	wantText := map[string]string{
		"token request":     "request access token",
		"deployment create": "Deployment not created",
		"health probe":      "rejected the inference API key",
	}
	for _, rule := range rules {
		text, ok := diagnostics[rule.name]
		if !ok {
			t.Errorf("the step with the echoed %s did not fail", rule.name)
			continue
		}
		if proxy.count(rule.name) == 0 {
			t.Errorf("the proxy never echoed the %s", rule.name)
		}
		if !badInputPattern(wantText[rule.name]).MatchString(text) {
			t.Errorf("the diagnostic of the echoed %s does not say %q:\n%s", rule.name, wantText[rule.name], text)
		}
		// The echo reached the diagnostic, with the secret it quoted masked.
		if !badInputPattern("(sensitive value)").MatchString(text) {
			t.Errorf("the diagnostic of the echoed %s shows no masked value, so the echo did not reach it:\n%s", rule.name, text)
		}
		secretsAssertNoLeaks(t, "diagnostic of the echoed "+rule.name, text, secrets)
	}

	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the captured logs: %v", err)
	}
	if !strings.Contains(string(logs), "Verda API response") {
		t.Error("the captured logs lack the provider's API log lines, so they do not cover the provider")
	}
	secretsAssertNoLeaks(t, "TRACE log", string(logs), secrets)
}

// secretsNamePattern matches attribute names that suggest a secret value.
var secretsNamePattern = regexp.MustCompile(`(?i)secret|token|password|passwd|api_key|private_key|credential`)

// secretsReferenceAttributes contain names of Verda secrets and registry
// credentials, never their values, so they are not sensitive. The values
// stay in the Verda account and never pass through the provider.
var secretsReferenceAttributes = map[string]bool{
	"resource verda_comfy_deployment secret_env":                       true,
	"resource verda_comfy_deployment secret_mounts":                    true,
	"resource verda_comfy_deployment secret_mounts.secret_name":        true,
	"resource verda_comfy_deployment registry_credentials":             true,
	"data source verda_deployment_drift baseline.secret_env":           true,
	"data source verda_deployment_drift baseline.secret_env_names":     true,
	"data source verda_deployment_drift baseline.registry_credentials": true,
}

// TestSecretsSchema_sensitiveAttributes checks that the provider's secret
// arguments are sensitive, and that every attribute whose name suggests a
// secret is either sensitive or a known reference by name. A new attribute
// such as registry_password fails it until it is marked Sensitive.
func TestSecretsSchema_sensitiveAttributes(t *testing.T) {
	server, err := protoV6ProviderFactories["verda"]()
	if err != nil {
		t.Fatalf("creating the provider server: %v", err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatalf("reading the provider schema: %v", err)
	}
	if len(resp.Diagnostics) > 0 {
		t.Fatalf("reading the provider schema: %v", resp.Diagnostics[0].Detail)
	}

	sensitive := map[string]bool{}
	var suspicious []string
	collect := func(kind string, schema *tfprotov6.Schema) {
		secretsWalkBlock(schema.Block, "", func(attrPath string, a *tfprotov6.SchemaAttribute) {
			key := kind + " " + attrPath
			sensitive[key] = a.Sensitive
			if secretsNamePattern.MatchString(a.Name) && !a.Sensitive && !secretsReferenceAttributes[key] {
				suspicious = append(suspicious, key)
			}
		})
	}
	collect("provider", resp.Provider)
	for name, schema := range resp.ResourceSchemas {
		collect("resource "+name, schema)
	}
	for name, schema := range resp.DataSourceSchemas {
		collect("data source "+name, schema)
	}

	for _, key := range []string{"provider client_secret", "provider inference_api_key"} {
		if !sensitive[key] {
			t.Errorf("%s is not marked Sensitive", key)
		}
	}
	for key := range secretsReferenceAttributes {
		if _, ok := sensitive[key]; !ok {
			t.Errorf("the reference attribute %s no longer exists. Update secretsReferenceAttributes", key)
		}
	}
	slices.Sort(suspicious)
	for _, key := range suspicious {
		t.Errorf("%s looks like it contains a secret but is not marked Sensitive. Mark it, or add it to secretsReferenceAttributes if it contains a name", key)
	}
}

// secretsWalkBlock calls visit for every attribute of block and of its
// nested attributes and blocks, with a dotted path.
func secretsWalkBlock(block *tfprotov6.SchemaBlock, prefix string, visit func(string, *tfprotov6.SchemaAttribute)) {
	if block == nil {
		return
	}
	for _, a := range block.Attributes {
		secretsWalkAttribute(a, prefix, visit)
	}
	for _, nested := range block.BlockTypes {
		secretsWalkBlock(nested.Block, prefix+nested.TypeName+".", visit)
	}
}

func secretsWalkAttribute(a *tfprotov6.SchemaAttribute, prefix string, visit func(string, *tfprotov6.SchemaAttribute)) {
	visit(prefix+a.Name, a)
	if a.NestedType == nil {
		return
	}
	for _, inner := range a.NestedType.Attributes {
		secretsWalkAttribute(inner, prefix+a.Name+".", visit)
	}
}
