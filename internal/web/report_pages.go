package web

import "net/http"

// Stubs until the reporting pages land.

func (s *Server) reportForm(w http.ResponseWriter, r *http.Request)         { s.notFound(w, r) }
func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request)       { s.notFound(w, r) }
func (s *Server) reportDuplicates(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) inboxRead(w http.ResponseWriter, r *http.Request)          { s.notFound(w, r) }
func (s *Server) publicReportForm(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) publicReportSubmit(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) publicCases(w http.ResponseWriter, r *http.Request)        { s.notFound(w, r) }
