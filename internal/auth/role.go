package auth

import "fmt"

// Role is a staff member's job in a store or dealer group. It arrives in the
// `role` custom claim of a staff token; owners have no role.
type Role string

// The roles known to the system. Keep in step with the claims that the staff
// admin tooling writes: a token carrying any other value is rejected.
const (
	RoleAdvisor        Role = "advisor"
	RoleTechnician     Role = "technician"
	RoleCareAgent      Role = "care_agent"
	RoleCareManager    Role = "care_manager"
	RoleServiceManager Role = "service_manager"
	RoleGeneralManager Role = "general_manager"
	RoleGroupAdmin     Role = "group_admin"
)

// Valid reports whether r is one of the known roles. The empty role is not
// valid: it means "not staff", not "staff without a role".
func (r Role) Valid() bool {
	switch r {
	case RoleAdvisor, RoleTechnician, RoleCareAgent, RoleCareManager,
		RoleServiceManager, RoleGeneralManager, RoleGroupAdmin:
		return true
	}
	return false
}

// ParseRole returns the role named s. Matching is exact: claims are written by
// our own tooling, so a near miss is a bug to surface, not to forgive.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", fmt.Errorf("auth: unknown role %q", s)
	}
	return r, nil
}
