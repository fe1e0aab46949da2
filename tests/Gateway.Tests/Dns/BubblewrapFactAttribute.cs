namespace Gateway.Tests.Dns;

/// <summary>A fact that needs root (port 53) and bubblewrap; skipped, saying why, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class BubblewrapFactAttribute : FactAttribute
{
    public BubblewrapFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root to bind the resolver on port 53 (resolv.conf cannot name another port; CI runs as root)";
        }
        else if (!File.Exists("/usr/bin/bwrap"))
        {
            Skip = "needs bubblewrap (`bwrap`): apt-get install bubblewrap";
        }
    }
}
