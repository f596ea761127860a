package points

// SetBeforeInsert makes f run between an append's read of the balance and
// its insert.
func (l *Ledger) SetBeforeInsert(f func()) { l.beforeInsert = f }
