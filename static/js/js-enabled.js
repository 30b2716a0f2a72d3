// Marks the page as having JavaScript, so that what only works with it (the menu button) shows.
document.body.classList.add("js-enabled");
