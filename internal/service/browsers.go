package service

// registerBrowsers registers the reconcilers of browsers, code interpreters
// and browser profiles.
func (s *Service) registerBrowsers() {}
