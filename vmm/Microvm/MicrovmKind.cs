using System.Globalization;
using Vmm.Network;
using Vmm.Sandboxes;

namespace Vmm.Microvm;

/// <summary>
/// A sandbox that is a QEMU <c>-M microvm</c> guest: the Debian kernel and the initramfs of
/// <see cref="MicrovmImage"/>, one virtio-net device on a tap device that is the block's host
/// interface, and a guest agent on a virtio serial port that runs <c>vmm exec</c> commands. KVM
/// when it can boot the guest, TCG otherwise (<see cref="AcceleratorChoice"/>).
/// </summary>
internal sealed class MicrovmKind : ISandboxKind
{
    /// <summary><see cref="SandboxRecord.KindState"/> keys.</summary>
    public const string PidKey = "pid";

    /// <inheritdoc cref="PidKey"/>
    public const string DirectoryKey = "directory";

    /// <inheritdoc cref="PidKey"/>
    public const string AcceleratorKey = "accelerator";

    /// <summary>How long a KVM boot may take before KVM counts as unusable here (a working KVM boots in about a second).</summary>
    public static readonly TimeSpan KvmBootTimeout = TimeSpan.FromSeconds(20);

    /// <summary>How long a TCG boot may take: ~7 s on a quiet machine, several times that on a loaded one.</summary>
    public static readonly TimeSpan TcgBootTimeout = TimeSpan.FromSeconds(150);

    private static readonly TimeSpan s_pingTimeout = TimeSpan.FromSeconds(30);

    /// <inheritdoc/>
    public string Name => "microvm";

    /// <inheritdoc/>
    public async Task CreateAsync(SandboxPlan plan, Rollback rollback, CancellationToken cancellation)
    {
        // plan.Directory is {stateDir}/vmm/files/NAME; the image is shared by every VM of the state directory.
        string stateDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(plan.Directory)))!;
        MicrovmImage image = await MicrovmImage.EnsureAsync(MicrovmImage.DirectoryFor(stateDirectory), cancellation).ConfigureAwait(false);
        await HostLinks.CreateTapAsync(plan, rollback, cancellation).ConfigureAwait(false);

        var files = new VmFiles(plan.Directory);
        Accelerator accelerator = AcceleratorChoice.Choose(image.Directory);
        (int pid, string? failure) = await BootAsync(plan, image, files, accelerator, rollback, cancellation).ConfigureAwait(false);
        if (failure is not null && accelerator.IsKvm)
        {
            if (pid > 0)
            {
                await QemuProcess.StopAsync(pid, files.PidFile).ConfigureAwait(false);
            }

            failure = failure.ReplaceLineEndings(" ");
            AcceleratorChoice.RecordKvmFailure(image.Directory, failure);
            accelerator = new Accelerator(Accelerator.Tcg, "a KVM boot failed: " + failure);
            (pid, failure) = await BootAsync(plan, image, files, accelerator, rollback, cancellation).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            throw new HostCommandException($"microVM {plan.Name} ({accelerator.Name}): {failure}");
        }

        await GuestAgent.PingAsync(files.AgentSocket, s_pingTimeout, cancellation).ConfigureAwait(false);
        if (plan.GatewayCa is { } ca)
        {
            await TrustAsync(files, ca, cancellation).ConfigureAwait(false);
        }

        plan.KindState[PidKey] = pid.ToString(CultureInfo.InvariantCulture);
        plan.KindState[DirectoryKey] = plan.Directory;
        plan.KindState[AcceleratorKey] = accelerator.ToString();
        await Console.Error.WriteLineAsync($"vmm: microvm {plan.Name} runs under {accelerator}").ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<int> ExecAsync(SandboxRecord sandbox, SandboxExec exec, CancellationToken cancellation)
    {
        // The guest is its own kernel and filesystem: nothing of the host's is there to hide.
        var files = new VmFiles(sandbox.KindState[DirectoryKey]);
        await using Stream stdout = Console.OpenStandardOutput();
        await using Stream stderr = Console.OpenStandardError();
        return await GuestAgent.RunAsync(files.AgentSocket, exec.Argv, exec.Environment, stdout, stderr, cancellation).ConfigureAwait(false);
    }

    /// <summary>
    /// Installs the gateway CA in the guest's trust store: the image's bundle (the host's roots when
    /// the image was built) followed by the CA, at the path every tool and the sandbox's variables use.
    /// Only the CA travels (the roots are in the image already); running it again replaces the CA.
    /// </summary>
    internal static async Task TrustAsync(VmFiles files, string caPem, CancellationToken cancellation)
    {
        const string Install =
            "cd /etc/ssl/certs && { [ -f image-roots.crt ] || cp ca-certificates.crt image-roots.crt 2>/dev/null || : > image-roots.crt; }"
            + " && { cat image-roots.crt; printf '%s\n' \"$1\"; } > ca-certificates.crt.new && mv ca-certificates.crt.new ca-certificates.crt";
        using var output = new MemoryStream();
        int exit = await GuestAgent.RunAsync(files.AgentSocket, ["sh", "-c", Install, "sh", caPem.Trim()], new Dictionary<string, string>(), output, output, cancellation).ConfigureAwait(false);
        if (exit != 0)
        {
            throw new HostCommandException($"installing the gateway CA in the guest failed ({exit}): {System.Text.Encoding.UTF8.GetString(output.ToArray()).Trim()}");
        }
    }

    /// <inheritdoc/>
    public async Task RemoveAsync(SandboxRecord sandbox, CancellationToken cancellation)
    {
        // A create that crashed before its record was complete knows no pid: find QEMU by its tap.
        if (RecordedVm(sandbox) is (int pid, string pidFile) || QemuOnTap(sandbox.HostInterface, out pid, out pidFile))
        {
            await QemuProcess.StopAsync(pid, pidFile).ConfigureAwait(false);
        }

        await HostLinks.DeleteAsync(sandbox.HostInterface).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public bool IsAlive(SandboxRecord sandbox) => RecordedVm(sandbox) is (int pid, string pidFile) && QemuProcess.IsAlive(pid, pidFile);

    private static async Task<(int Pid, string? Failure)> BootAsync(
        SandboxPlan plan, MicrovmImage image, VmFiles files, Accelerator accelerator, Rollback rollback, CancellationToken cancellation)
    {
        List<string> arguments = QemuCommandLine.Build(
            accelerator, image, files, plan.Name, plan.HostInterface, plan.SandboxAddress, plan.PrefixLength, plan.HostAddress,
            AcceleratorChoice.HostTscKilohertz(), DateTimeOffset.UtcNow);
        int pid;
        try
        {
            pid = await QemuProcess.StartAsync(arguments, files, cancellation).ConfigureAwait(false);
        }
        catch (HostCommandException e) when (accelerator.IsKvm)
        {
            // A KVM that cannot run this CPU model fails here ("failed to set MSR 0x10a" under PVM).
            return (0, e.Message);
        }

        rollback.Push($"QEMU (pid {pid})", () => QemuProcess.StopAsync(pid, files.PidFile));
        TimeSpan timeout = accelerator.IsKvm ? KvmBootTimeout : TcgBootTimeout;
        return (pid, await QemuProcess.WaitReadyAsync(pid, files, timeout, cancellation).ConfigureAwait(false));
    }

    private static (int Pid, string PidFile)? RecordedVm(SandboxRecord sandbox) =>
        sandbox.KindState.TryGetValue(PidKey, out string? pidText)
        && int.TryParse(pidText, NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
        && sandbox.KindState.TryGetValue(DirectoryKey, out string? directory)
            ? (pid, new VmFiles(directory).PidFile)
            : null;

    private static bool QemuOnTap(string tap, out int pid, out string pidFile)
    {
        pid = 0;
        pidFile = string.Empty;
        string marker = $"\0tap,id=net0,ifname={tap},";
        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            string[] arguments;
            try
            {
                string cmdline = File.ReadAllText(Path.Combine(process, "cmdline"));
                if (!cmdline.Contains(marker, StringComparison.Ordinal))
                {
                    continue;
                }

                arguments = cmdline.Split('\0');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            int at = Array.IndexOf(arguments, "-pidfile");
            if (at >= 0 && at + 1 < arguments.Length && int.TryParse(Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out pid))
            {
                pidFile = arguments[at + 1];
                return true;
            }
        }

        return false;
    }
}
