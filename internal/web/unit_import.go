package web

import "net/http"

func (s *Server) unitImportForm(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) unitImport(w http.ResponseWriter, r *http.Request)     { s.notFound(w, r) }
