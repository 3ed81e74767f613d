// The entry page's first step (written into index.html by `cargo xtask build`), before
// any WASM loads: a phone not enrolled yet, or a join link (`/#join=…`), goes to the
// join page, and an officer's phone to its own. True when the page goes elsewhere.
function elsewhere() {
  var enrolment = null;
  try {
    enrolment = JSON.parse(localStorage.getItem("sotay.v1.enrolment"));
  } catch (e) {}
  var page = !enrolment || location.hash.indexOf("#join") === 0 ? "/tham-gia.html" + location.hash
    : enrolment.profile && enrolment.profile.role !== "volunteer" ? "/officer.html" : null;
  if (page) location.replace(page);
  return page !== null;
}
