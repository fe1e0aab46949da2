namespace Vmm.Tests.Microvm;

/// <summary>
/// A fact that boots a real microVM: needs root (tap devices, nftables), iproute2, nftables, QEMU,
/// /dev/net/tun, curl (copied into the guest) and apt-get (the image is built from Debian
/// packages); skipped, saying which is missing, elsewhere.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class MicrovmFactAttribute : FactAttribute
{
    public MicrovmFactAttribute()
    {
        Skip = SkipReason();
    }

    /// <summary>Why a microVM cannot be booted here, or null when it can.</summary>
    public static string? SkipReason()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            return "needs root to create tap devices and nftables rules (CI runs as root)";
        }

        if (!File.Exists("/dev/net/tun"))
        {
            return "needs /dev/net/tun for the VM's tap device";
        }

        foreach ((string tool, string package) in (ReadOnlySpan<(string, string)>)[
            ("ip", "iproute2"), ("nft", "nftables"), ("curl", "curl"), ("qemu-system-x86_64", "qemu-system-x86"), ("apt-get", "apt")])
        {
            if (!File.Exists("/usr/sbin/" + tool) && !File.Exists("/usr/bin/" + tool) && !File.Exists("/sbin/" + tool))
            {
                return $"needs `{tool}`: apt-get install {package}";
            }
        }

        return null;
    }
}
