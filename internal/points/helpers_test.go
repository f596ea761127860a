package points_test

import "aftercare/internal/apperr"

func codeOf(err error) string {
	if e, ok := apperr.As(err); ok {
		return string(e.Code)
	}
	return ""
}
