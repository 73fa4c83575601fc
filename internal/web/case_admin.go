package web

import "net/http"

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
func (s *Server) calendarImport(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) categoriesPage(w http.ResponseWriter, r *http.Request) { s.notFound(w, r) }
func (s *Server) categorySave(w http.ResponseWriter, r *http.Request)   { s.notFound(w, r) }
