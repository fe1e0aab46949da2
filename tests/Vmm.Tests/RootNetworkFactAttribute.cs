namespace Vmm.Tests;

/// <summary>A fact that makes real sandboxes: needs root, iproute2, nftables, curl, dig and bubblewrap; skipped, saying why, elsewhere.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RootNetworkFactAttribute : FactAttribute
{
    public RootNetworkFactAttribute()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = "needs root to create network namespaces, veth links and nftables rules (CI runs as root)";
            return;
        }

        foreach ((string tool, string package) in (ReadOnlySpan<(string, string)>)[("ip", "iproute2"), ("nft", "nftables"), ("curl", "curl"), ("dig", "bind9-dnsutils"), ("openssl", "openssl"), ("bwrap", "bubblewrap"), ("setpriv", "util-linux")])
        {
            if (!File.Exists("/usr/sbin/" + tool) && !File.Exists("/usr/bin/" + tool) && !File.Exists("/sbin/" + tool))
            {
                Skip = $"needs `{tool}`: apt-get install {package}";
                return;
            }
        }
    }

    /// <summary>One more tool the test runs, as "tool:package" (the package test.sh installs).</summary>
    public string? Needs
    {
        get => null;
        init
        {
            string[] parts = value!.Split(':');
            if (Skip is null && !File.Exists("/usr/bin/" + parts[0]) && !File.Exists("/bin/" + parts[0]) && !File.Exists("/usr/sbin/" + parts[0]))
            {
                Skip = $"needs `{parts[0]}`: apt-get install {parts[1]}";
            }
        }
    }
}
