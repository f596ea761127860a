// Package photos keeps the photos taken during a visit: uploads are
// checked (size, that they are images), stored in the blob store, recorded
// against the work order, and shown through short-lived signed URLs.
package photos

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"

	"aftercare/ent"
	"aftercare/ent/inspectionitem"
	"aftercare/ent/photo"
	"aftercare/ent/workorder"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/blob"
)

// MaxBytes bounds one photo; phones take 3-6 MB pictures.
const MaxBytes = 10 << 20

var allowedTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}

// Service stores and signs photos.
type Service struct {
	Store  blob.Store
	Signer blob.Signer
}

// Upload is one received file.
type Upload struct {
	WorkOrderID      int
	InspectionItemID *int
	Kind             photo.Kind
	File             io.Reader
	Size             int64
	Filename         string
}

// Upload checks and keeps a photo. The blob is written before the row: if
// the transaction then fails, an unreferenced file is left behind, never a
// row without its file.
func (s *Service) Upload(ctx context.Context, c *ent.Client, u Upload) (*ent.Photo, error) {
	if u.Size <= 0 || u.Size > MaxBytes {
		return nil, apperr.Input("file", fmt.Sprintf("a photo is at most %d MB", MaxBytes>>20))
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(u.File, head)
	contentType := http.DetectContentType(head[:n])
	ext, ok := allowedTypes[contentType]
	if !ok {
		return nil, apperr.Input("file", "upload a JPEG, PNG or WebP image")
	}
	if err := checkTarget(ctx, c, u); err != nil {
		return nil, err
	}
	key, err := newKey(u.WorkOrderID, ext)
	if err != nil {
		return nil, err
	}
	body := io.MultiReader(bytes.NewReader(head[:n]), io.LimitReader(u.File, MaxBytes))
	if err := s.Store.Put(ctx, key, body); err != nil {
		return nil, fmt.Errorf("store photo: %w", err)
	}
	create := c.Photo.Create().SetWorkOrderID(u.WorkOrderID).SetNillableInspectionItemID(u.InspectionItemID).
		SetKind(u.Kind).SetContentType(contentType).SetSizeBytes(u.Size).SetBlobKey(key)
	if v := auth.FromContext(ctx); v.IsStaff() {
		create.SetTakenByStaffID(v.StaffID)
	}
	return create.Save(ctx)
}

// checkTarget: the work order is visible to the uploader, and a finding,
// if named, belongs to it.
func checkTarget(ctx context.Context, c *ent.Client, u Upload) error {
	ok, err := c.WorkOrder.Query().Where(workorder.ID(u.WorkOrderID)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("work order not found")
	}
	if u.InspectionItemID == nil {
		return nil
	}
	ok, err = c.InspectionItem.Query().Where(inspectionitem.ID(*u.InspectionItemID), inspectionitem.WorkOrderID(u.WorkOrderID)).Exist(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFoundf("inspection item not found on this work order")
	}
	return nil
}

// URL is a short-lived link to the photo. GraphQL field collection may
// not have loaded the blob key, so it is read when missing.
func (s *Service) URL(ctx context.Context, c *ent.Client, p *ent.Photo) (string, error) {
	key := p.BlobKey
	if key == "" {
		got, err := c.Photo.Query().Where(photo.ID(p.ID)).Select(photo.FieldBlobKey).Only(ctx)
		if err != nil {
			return "", err
		}
		key = got.BlobKey
	}
	return s.Signer.URL(key), nil
}

func newKey(workOrderID int, ext string) (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("photos/%d/%s%s", workOrderID, hex.EncodeToString(b[:]), ext), nil
}
