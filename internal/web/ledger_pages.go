package web

import "net/http"

// Stubs until the ledger pages land.

func (s *Server) caseList(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
func (s *Server) caseMapData(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
func (s *Server) casePrint(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) caseDetail(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request)      { s.notFound(w, r) }
func (s *Server) casePhotoUpload(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) photo(w http.ResponseWriter, r *http.Request)           { s.notFound(w, r) }
