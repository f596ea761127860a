package ratelimit

import (
	"net/http/httptest"
	"net/netip"
	"testing"
)

func TestClientIP(t *testing.T) {
	proxies := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("fd00::/8"),
	}
	for _, tc := range []struct {
		name    string
		remote  string
		xff     []string
		trusted []netip.Prefix
		want    string // "" for invalid
	}{
		{name: "direct v4", remote: "203.0.113.7:5123", want: "203.0.113.7"},
		{name: "direct v6", remote: "[2001:db8::1]:443", want: "2001:db8::1"},
		{name: "v6 zone dropped", remote: "[fe80::1%eth0]:443", want: "fe80::1"},
		{name: "v4-mapped unmapped", remote: "[::ffff:203.0.113.7]:1", want: "203.0.113.7"},
		{name: "no port", remote: "203.0.113.7", want: "203.0.113.7"},
		{name: "unparsable remote", remote: "@", want: ""},
		{name: "xff ignored without trusted proxies", remote: "203.0.113.7:1",
			xff: []string{"198.51.100.1"}, want: "203.0.113.7"},
		{name: "spoofed xff from untrusted peer", remote: "203.0.113.7:1",
			xff: []string{"10.0.0.1, 198.51.100.1"}, trusted: proxies, want: "203.0.113.7"},
		{name: "trusted peer uses xff", remote: "10.1.2.3:1",
			xff: []string{"198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "right-most untrusted wins over client-supplied left entries", remote: "10.1.2.3:1",
			xff: []string{"1.1.1.1, 2.2.2.2, 198.51.100.1, 10.9.9.9"}, trusted: proxies, want: "198.51.100.1"},
		{name: "multiple xff headers in order", remote: "10.1.2.3:1",
			xff: []string{"1.1.1.1", "198.51.100.1, 10.0.0.5", "10.0.0.6"}, trusted: proxies, want: "198.51.100.1"},
		{name: "xff entry with port and v6 brackets", remote: "10.1.2.3:1",
			xff: []string{"[2001:db8::9]:8080"}, trusted: proxies, want: "2001:db8::9"},
		{name: "xff v4 with port", remote: "10.1.2.3:1",
			xff: []string{" 198.51.100.1:8080 "}, trusted: proxies, want: "198.51.100.1"},
		{name: "trusted v6 proxy", remote: "[fd00::1]:1",
			xff: []string{"2001:db8::7"}, trusted: proxies, want: "2001:db8::7"},
		{name: "all hops trusted", remote: "10.1.2.3:1",
			xff: []string{"10.0.0.1, 10.0.0.2"}, trusted: proxies, want: "10.0.0.1"},
		{name: "garbage behind trusted hop", remote: "10.1.2.3:1",
			xff: []string{"unknown, 10.0.0.2"}, trusted: proxies, want: "10.0.0.2"},
		{name: "garbage left of the client is not reached", remote: "10.1.2.3:1",
			xff: []string{"not-an-ip, 198.51.100.1"}, trusted: proxies, want: "198.51.100.1"},
		{name: "trusted peer without xff", remote: "10.1.2.3:1", trusted: proxies, want: "10.1.2.3"},
		{name: "empty xff value", remote: "10.1.2.3:1", xff: []string{""}, trusted: proxies, want: "10.1.2.3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/graphql", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			got := ClientIP(r, tc.trusted)
			if tc.want == "" {
				if got.IsValid() {
					t.Fatalf("ClientIP = %v, want invalid", got)
				}
				return
			}
			if want := netip.MustParseAddr(tc.want); got != want {
				t.Fatalf("ClientIP = %v, want %v", got, want)
			}
		})
	}
}

func TestIPKey(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"203.0.113.7", "ip:203.0.113.7"},
		{"::ffff:203.0.113.7", "ip:203.0.113.7"},
		{"2001:db8:1:2:3:4:5:6", "ip:2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff:ffff:ffff:ffff", "ip:2001:db8:1:2::/64"},
		{"2001:db8:1:3::1", "ip:2001:db8:1:3::/64"},
	} {
		if got := IPKey(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("IPKey(%s) = %q, want %q", tc.addr, got, tc.want)
		}
	}
	if got := IPKey(netip.Addr{}); got != "" {
		t.Errorf("IPKey(invalid) = %q, want empty", got)
	}
}
