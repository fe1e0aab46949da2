namespace Gateway.Tests.Dns;

/// <summary>A fact that skips, saying why, when dig is not installed (xunit 2 decides skips at discovery).</summary>
internal sealed class DigFactAttribute : FactAttribute
{
    public DigFactAttribute()
    {
        if (!Dig.IsInstalled)
        {
            Skip = "dig is not installed (Debian package bind9-dnsutils; test.sh installs it when run as root)";
        }
    }
}
