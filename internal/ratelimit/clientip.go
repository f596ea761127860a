package ratelimit

import (
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the address of the client that sent r.
//
// It is the peer address (r.RemoteAddr) unless that peer is in
// trustedProxies; then X-Forwarded-For is read from the right, skipping
// addresses in trustedProxies, and the first (right-most) untrusted address is
// the client. X-Forwarded-For is never read when the peer is untrusted, so a
// client cannot choose its own address. If a trusted hop wrote an entry that
// does not parse, or every entry is trusted, the last trusted address seen is
// returned. IPv4-mapped IPv6 addresses are unmapped and zones are dropped.
// The result is invalid only when RemoteAddr does not parse.
//
// trustedProxies should be in unmapped form (10.0.0.0/8, not ::ffff:10.0.0.0/104).
func ClientIP(r *http.Request, trustedProxies []netip.Prefix) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !peer.IsValid() || !trusted(peer, trustedProxies) {
		return peer
	}
	last := peer
	values := r.Header.Values("X-Forwarded-For")
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for {
			j := strings.LastIndexByte(v, ',')
			hop := v[j+1:]
			a := parseHost(strings.TrimSpace(hop))
			if !a.IsValid() {
				if j < 0 && strings.TrimSpace(hop) == "" {
					break // empty header value: nothing was written here
				}
				return last
			}
			if !trusted(a, trustedProxies) {
				return a
			}
			last = a
			if j < 0 {
				break
			}
			v = v[:j]
		}
	}
	return last
}

func trusted(a netip.Addr, prefixes []netip.Prefix) bool {
	for _, p := range prefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// parseHost parses "1.2.3.4", "1.2.3.4:80", "::1", "[::1]:80" or "[::1]",
// choosing the parser up front so the common forms do not allocate an error.
func parseHost(s string) netip.Addr {
	var a netip.Addr
	switch c := strings.IndexByte(s, ':'); {
	case s == "":
		return netip.Addr{}
	case s[0] == '[':
		if ap, err := netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		} else if s[len(s)-1] == ']' {
			a, _ = netip.ParseAddr(s[1 : len(s)-1])
		}
	case c >= 0 && strings.IndexByte(s[c+1:], ':') < 0: // IPv4 with port
		if ap, err := netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		}
	default:
		a, _ = netip.ParseAddr(s)
	}
	return a.Unmap().WithZone("")
}

// IPKey returns the limiter key for client address a: "ip:203.0.113.7" for
// IPv4 and "ip:2001:db8:1:2::/64" for IPv6, so that every address in an IPv6
// /64 (which one subscriber usually controls) shares one bucket. It returns
// "" for an invalid address.
func IPKey(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	a = a.Unmap().WithZone("")
	var buf [64]byte
	b := append(buf[:0], "ip:"...)
	if a.Is4() {
		b = a.AppendTo(b)
	} else {
		p, _ := a.Prefix(64)
		b = p.AppendTo(b)
	}
	return string(b)
}
