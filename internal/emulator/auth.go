package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokenRequest is the body of POST /v1/oauth2/token, sent as JSON by the SDKs and as a form by the Go SDK's
// fallback for a staging quirk.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RefreshToken string `json:"refresh_token"`
}

type wireToken struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

// handleToken implements POST /v1/oauth2/token for the client_credentials and refresh_token grants.
func (e *Emulator) handleToken(r *http.Request) (response, *apiError) {
	req, err := parseTokenRequest(r)
	if err != nil {
		return errorResponse(err)
	}

	switch req.GrantType {
	case "":
		return errorResponse(badRequest("grant_type is not specified; use client_credentials or refresh_token"))
	case "client_credentials":
		if req.ClientID == "" {
			return errorResponse(nullOrUndefined("client_id"))
		}
		if req.ClientSecret == "" {
			return errorResponse(nullOrUndefined("client_secret"))
		}
		if !e.validClient(req.ClientID, req.ClientSecret) {
			return errorResponse(unauthorized("invalid client credentials for client_id %q; check the client id and secret", req.ClientID))
		}
	case "refresh_token":
		if req.RefreshToken == "" {
			return errorResponse(nullOrUndefined("refresh_token"))
		}
		// The Go SDK sends the client credentials with a refresh, the Python SDK does not. Both are valid,
		// but credentials that are sent must be right.
		if (req.ClientID != "" || req.ClientSecret != "") && !e.validClient(req.ClientID, req.ClientSecret) {
			return errorResponse(unauthorized("invalid client credentials for client_id %q; check the client id and secret", req.ClientID))
		}
	default:
		return errorResponse(badRequest("unsupported grant type %q; use client_credentials or refresh_token", req.GrantType))
	}

	var out wireToken
	apiErr := e.do(func(st *state) *apiError {
		now := st.now()
		if req.GrantType == "refresh_token" {
			t, ok := st.tokens[req.RefreshToken]
			if !ok || t.Kind != tokenKindRefresh {
				return unauthorized("refresh token is invalid; request a new token with the client_credentials grant")
			}
			if !now.Before(t.ExpiresAt) {
				return unauthorized("refresh token expired at %s; request a new token with the client_credentials grant", formatTime(t.ExpiresAt))
			}
		}
		st.pruneTokens(now)
		access := st.issueToken(tokenKindAccess, now.Add(e.opts.TokenTTL))
		refresh := st.issueToken(tokenKindRefresh, now.Add(RefreshTokenTTL))
		out = wireToken{
			AccessToken:  access,
			RefreshToken: refresh,
			TokenType:    "Bearer",
			ExpiresIn:    int(e.opts.TokenTTL / time.Second),
			Scope:        "read write",
		}
		return nil
	})
	if apiErr != nil {
		return errorResponse(apiErr)
	}
	return jsonResponse(http.StatusOK, out)
}

func parseTokenRequest(r *http.Request) (tokenRequest, *apiError) {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return tokenRequest{}, badRequest("reading the request body failed: %v", err)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return tokenRequest{}, badRequest("grant_type is not specified; send a JSON or form body with grant_type")
	}

	isForm := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || trimmed[0] != '{'
	if isForm {
		values, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return tokenRequest{}, badRequest("request body is not valid JSON or form data: %v", err)
		}
		return tokenRequest{
			GrantType:    values.Get("grant_type"),
			ClientID:     values.Get("client_id"),
			ClientSecret: values.Get("client_secret"),
			RefreshToken: values.Get("refresh_token"),
		}, nil
	}

	var req tokenRequest
	if err := json.Unmarshal(trimmed, &req); err != nil {
		return tokenRequest{}, badRequest("request body is not valid JSON: %v", err)
	}
	return req, nil
}

func (e *Emulator) validClient(id, secret string) bool {
	idOK := subtle.ConstantTimeCompare([]byte(id), []byte(e.opts.ClientID)) == 1
	secretOK := subtle.ConstantTimeCompare([]byte(secret), []byte(e.opts.ClientSecret)) == 1
	return idOK && secretOK
}

func (st *state) issueToken(kind string, expiresAt time.Time) string {
	value := st.newTokenValue(kind)
	st.tokens[value] = &token{Value: value, Kind: kind, ExpiresAt: expiresAt}
	return value
}

// pruneTokens drops expired tokens so that a long-running emulator does not grow without bound.
func (st *state) pruneTokens(now time.Time) {
	for value, t := range st.tokens {
		if !now.Before(t.ExpiresAt) {
			delete(st.tokens, value)
			st.touch()
		}
	}
}

// checkAccessToken validates the bearer access token of an API request.
func (e *Emulator) checkAccessToken(r *http.Request) *apiError {
	header := r.Header.Get("Authorization")
	if header == "" {
		return unauthorized("missing Authorization header; send Authorization: Bearer <access_token> obtained from POST /v1/oauth2/token")
	}
	scheme, value, found := strings.Cut(header, " ")
	if !found || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
		return unauthorized("Authorization header must have the form Bearer <access_token>")
	}
	value = strings.TrimSpace(value)

	var err *apiError
	e.read(func(st *state) {
		t, ok := st.tokens[value]
		switch {
		case !ok || t.Kind != tokenKindAccess:
			err = unauthorized("access token is invalid; request a new one from POST /v1/oauth2/token")
		case !st.now().Before(t.ExpiresAt):
			err = unauthorized("access token expired at %s; refresh it or request a new one from POST /v1/oauth2/token", formatTime(t.ExpiresAt))
		}
	})
	return err
}
