using System.Globalization;
using System.Net;

namespace Vmm.Microvm;

/// <summary>
/// QEMU's arguments for one microVM: <c>-M microvm</c>, no firmware devices, the kernel and
/// initramfs given directly, the serial console into a file, the guest agent on a virtio serial
/// port behind a unix socket, and one virtio-net device on the sandbox's tap. QEMU daemonizes
/// (its own session and process group, pid in a file), so the VM outlives <c>vmm create</c>.
/// </summary>
internal static class QemuCommandLine
{
    /// <summary>The QEMU binary.</summary>
    public const string Binary = "qemu-system-x86_64";

    /// <summary>Guest memory in MiB: the initramfs (~10 MB unpacked ~30 MB) plus room for curl and the commands run.</summary>
    public const int MemoryMiB = 256;

    /// <summary>The name of the virtio serial port the agent listens on (<c>/sys/class/virtio-ports/*/name</c>).</summary>
    public const string AgentPort = "vmm.agent";

    /// <summary>Builds the arguments.</summary>
    /// <param name="accelerator">KVM or TCG.</param>
    /// <param name="image">Kernel and initramfs.</param>
    /// <param name="files">Where the pid file, console log and agent socket go.</param>
    /// <param name="name">The sandbox name (the guest's host name).</param>
    /// <param name="tap">The tap device on the host.</param>
    /// <param name="guestAddress">The guest's address.</param>
    /// <param name="prefixLength">The link's prefix length.</param>
    /// <param name="gateway">The host end: default route and DNS server.</param>
    /// <param name="tscKilohertz">The host's TSC frequency for TCG guests (see <see cref="AcceleratorChoice.HostTscKilohertz"/>), or null.</param>
    /// <param name="now">The host's clock, so the guest checks certificates against the right time.</param>
    public static List<string> Build(
        Accelerator accelerator, MicrovmImage image, VmFiles files, string name, string tap,
        IPAddress guestAddress, int prefixLength, IPAddress gateway, long? tscKilohertz, DateTimeOffset now)
    {
        var kernelArgs = new List<string>
        {
            "console=ttyS0", "reboot=t", "panic=-1", "quiet",
            $"vmm.ip={guestAddress}/{prefixLength.ToString(CultureInfo.InvariantCulture)}",
            $"vmm.gw={gateway}", $"vmm.dns={gateway}", $"vmm.name={name}",
            "vmm.time=" + now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
        };
        if (!accelerator.IsKvm && tscKilohertz is { } khz)
        {
            kernelArgs.Add("tsc_early_khz=" + khz.ToString(CultureInfo.InvariantCulture));
        }

        return
        [
            "-M", "microvm",
            "-accel", accelerator.Name,
            // -cpu max hangs at random under TCG (at KASLR); qemu64 boots. Under KVM the host's CPU is the fast choice.
            "-cpu", accelerator.IsKvm ? "host" : "qemu64",
            "-m", MemoryMiB.ToString(CultureInfo.InvariantCulture),
            "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
            "-daemonize", "-pidfile", files.PidFile,
            "-serial", "file:" + files.ConsoleLog,
            "-kernel", image.Kernel, "-initrd", image.Initrd,
            "-append", string.Join(' ', kernelArgs),
            "-netdev", $"tap,id=net0,ifname={tap},script=no,downscript=no",
            "-device", "virtio-net-device,netdev=net0,mac=" + MacAddress(guestAddress),
            "-device", "virtio-serial-device",
            "-chardev", $"socket,id=agent,path={files.AgentSocket},server=on,wait=off",
            "-device", $"virtserialport,chardev=agent,name={AgentPort}",
        ];
    }

    /// <summary>A locally administered MAC (QEMU's 52:54:00 prefix) derived from the guest's address, unique per sandbox.</summary>
    public static string MacAddress(IPAddress guestAddress)
    {
        byte[] octets = guestAddress.GetAddressBytes();
        return string.Create(CultureInfo.InvariantCulture, $"52:54:00:{octets[^3]:x2}:{octets[^2]:x2}:{octets[^1]:x2}");
    }
}
