// Tells the server the browser's time zone (the `tz` cookie), so pages show times in it unless the
// profile names another zone (caller/timezones.py validates the name against the IANA database).
// On every page, the login page included: the first page after signing in is already in it.
{
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && !document.cookie.split("; ").includes(`tz=${zone}`)) {
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `tz=${zone}; path=/; max-age=31536000; SameSite=Lax${secure}`;
  }
}
