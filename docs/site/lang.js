// /docs/: open the course in the reader's language (Korean or English). A file, not an inline
// script: the site's Content-Security-Policy allows scripts from this origin only.
const korean = (navigator.languages ?? [navigator.language]).some((l) => /^ko\b/i.test(l ?? ''));
location.replace(korean ? 'ko/index.html' : 'en/index.html');
