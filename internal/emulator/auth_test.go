package emulator

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

func TestTokenClientCredentialsJSON(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{TokenTTL: 30 * time.Minute})

	var tok wireToken
	c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
	}, http.StatusOK, &tok)

	if tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token response lacks tokens: %+v", tok)
	}
	if tok.TokenType != "Bearer" {
		t.Errorf("token_type = %q, want Bearer", tok.TokenType)
	}
	if tok.ExpiresIn != 1800 {
		t.Errorf("expires_in = %d, want 1800", tok.ExpiresIn)
	}
	if tok.Scope != "read write" {
		t.Errorf("scope = %q, want read write", tok.Scope)
	}
	if tok.AccessToken == tok.RefreshToken {
		t.Error("access and refresh tokens are equal")
	}
}

func TestTokenClientCredentialsForm(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {DefaultClientID}, "client_secret": {DefaultClientSecret}}

	res := c.send(http.MethodPost, "/v1/oauth2/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")

	if res.Status != http.StatusOK {
		t.Fatalf("form token request: status %d, body %s", res.Status, res.Body)
	}
}

func TestTokenRefreshGrant(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	var first wireToken
	c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
	}, http.StatusOK, &first)

	t.Run("python shape without client credentials", func(t *testing.T) {
		var tok wireToken
		c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
			"grant_type": "refresh_token", "refresh_token": first.RefreshToken,
		}, http.StatusOK, &tok)
		if tok.AccessToken == "" || tok.AccessToken == first.AccessToken {
			t.Errorf("refresh did not issue a new access token: %+v", tok)
		}
	})
	t.Run("go shape with client credentials", func(t *testing.T) {
		c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
			"grant_type": "refresh_token", "refresh_token": first.RefreshToken,
			"client_id": DefaultClientID, "client_secret": DefaultClientSecret,
		}, http.StatusOK, nil)
	})
	t.Run("form encoded", func(t *testing.T) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}
		res := c.send(http.MethodPost, "/v1/oauth2/token", form.Encode(), "Content-Type", "application/x-www-form-urlencoded")
		if res.Status != http.StatusOK {
			t.Errorf("form refresh: status %d, body %s", res.Status, res.Body)
		}
	})
	t.Run("wrong client secret", func(t *testing.T) {
		c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
			"grant_type": "refresh_token", "refresh_token": first.RefreshToken,
			"client_id": DefaultClientID, "client_secret": "nope",
		}, http.StatusUnauthorized, codeUnauthorized, "invalid client credentials")
	})
	t.Run("unknown refresh token", func(t *testing.T) {
		c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
			"grant_type": "refresh_token", "refresh_token": "not-a-token",
		}, http.StatusUnauthorized, codeUnauthorized, "refresh token is invalid")
	})
	t.Run("access token used as refresh token", func(t *testing.T) {
		c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
			"grant_type": "refresh_token", "refresh_token": first.AccessToken,
		}, http.StatusUnauthorized, codeUnauthorized, "refresh token is invalid")
	})
}

func TestTokenRejectsBadRequests(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{ClientID: "id-1", ClientSecret: "secret-1"})

	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": "id-1", "client_secret": "wrong",
	}, http.StatusUnauthorized, codeUnauthorized, "invalid client credentials")
	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
	}, http.StatusUnauthorized, codeUnauthorized, "invalid client credentials")
	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{"client_id": "id-1"},
		http.StatusBadRequest, codeInvalidRequest, "grant_type is not specified")
	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{"grant_type": "password"},
		http.StatusBadRequest, codeInvalidRequest, "unsupported grant type")
	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{"grant_type": "client_credentials", "client_secret": "x"},
		http.StatusBadRequest, codeInvalidRequest, "client_id should not be null or undefined")
	c.expectError(http.MethodPost, "/v1/oauth2/token", "{not json", http.StatusBadRequest, codeInvalidRequest, "not valid JSON")
}

func TestAPIRequiresValidAccessToken(t *testing.T) {
	t.Parallel()
	_, c, _ := newTestEmulator(t, Options{})
	valid := c.token

	c.token = ""
	c.expectError(http.MethodGet, "/v1/locations", nil, http.StatusUnauthorized, codeUnauthorized, "missing Authorization header")
	c.token = "made-up"
	c.expectError(http.MethodGet, "/v1/locations", nil, http.StatusUnauthorized, codeUnauthorized, "access token is invalid")

	res := c.send(http.MethodGet, "/v1/locations", nil, "Authorization", "Basic abc")
	if res.Status != http.StatusUnauthorized {
		t.Errorf("Basic auth: status %d, want 401", res.Status)
	}

	c.token = valid
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, nil)
}

func TestAccessTokenExpiresWithClock(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{TokenTTL: 10 * time.Minute})

	clock.Advance(9*time.Minute + 59*time.Second)
	c.expectJSON(http.MethodGet, "/v1/locations", nil, http.StatusOK, nil)

	clock.Advance(time.Second)
	c.expectError(http.MethodGet, "/v1/locations", nil, http.StatusUnauthorized, codeUnauthorized, "access token expired")
}

func TestRefreshTokenExpiresAfter24Hours(t *testing.T) {
	t.Parallel()
	_, c, clock := newTestEmulator(t, Options{})
	var tok wireToken
	c.expectJSON(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "client_credentials", "client_id": DefaultClientID, "client_secret": DefaultClientSecret,
	}, http.StatusOK, &tok)

	clock.Advance(RefreshTokenTTL)

	c.expectError(http.MethodPost, "/v1/oauth2/token", map[string]string{
		"grant_type": "refresh_token", "refresh_token": tok.RefreshToken,
	}, http.StatusUnauthorized, codeUnauthorized, "refresh token")
}

func TestTokensAreDeterministic(t *testing.T) {
	t.Parallel()
	_, first, _ := newTestEmulator(t, Options{})
	_, second, _ := newTestEmulator(t, Options{})

	if first.token != second.token {
		t.Errorf("two fresh emulators issued different first tokens: %q and %q", first.token, second.token)
	}
	if len(first.token) < 32 {
		t.Errorf("token %q is too short to look random", first.token)
	}
}
