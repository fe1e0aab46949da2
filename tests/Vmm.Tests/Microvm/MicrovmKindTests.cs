using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

/// <summary>
/// Issue 9 point 3: one real microVM (QEMU -M microvm, the Debian kernel, the initramfs
/// build-image.sh makes) booted by <see cref="MicrovmKind"/> on its tap, driven through the guest agent.
/// </summary>
[Collection(MicrovmCollection.Name)]
public sealed class MicrovmKindTests(BootedMicrovm vm) : IClassFixture<BootedMicrovm>
{
    [MicrovmFact]
    public async Task Image_IsBuiltOnce_AndReusedWhileItsInputsAreUnchanged()
    {
        DateTime built = File.GetLastWriteTimeUtc(vm.Image.Initrd);

        MicrovmImage again = await MicrovmImage.EnsureAsync(vm.Image.Directory, CancellationToken.None);

        Assert.Equal(vm.Image, again);
        Assert.Equal(built, File.GetLastWriteTimeUtc(again.Initrd));
        Assert.True(new FileInfo(again.Kernel).Length > 1_000_000, "vmlinuz is a real kernel");
        Assert.True(new FileInfo(again.Initrd).Length > 1_000_000, "the initramfs holds busybox, curl and its libraries");
    }

    [MicrovmFact]
    public async Task Exec_Uname_RunsInTheGuestKernel()
    {
        (int exit, string stdout, string stderr) = await vm.ExecAsync("uname", "-a");

        Assert.True(exit == 0, stderr);
        Assert.StartsWith("Linux " + vm.Name + " 6.", stdout, StringComparison.Ordinal);
        Assert.Contains("x86_64", stdout, StringComparison.Ordinal);
        Assert.NotEqual(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), stdout.Split(' ')[1]);
    }

    [MicrovmFact]
    public async Task Exec_ReturnsStdoutStderrAndTheExitCode_Apart()
    {
        (int exit, string stdout, string stderr) = await vm.ExecAsync("sh", "-c", "echo to-out; echo to-err >&2; exit 7");

        Assert.Equal(7, exit);
        Assert.Equal("to-out\n", stdout);
        Assert.Equal("to-err\n", stderr);
    }

    [MicrovmFact]
    public async Task Exec_PassesArgumentsLiterally_AndTheEnvironment()
    {
        string tricky = "it's $HOME; `id` \"quoted\" * \\ end";
        var environment = new Dictionary<string, string> { ["HTTPS_PROXY"] = "http://10.209.0.1:3128", ["TOKEN"] = "gw-placeholder-'x'" };

        (int exit, string stdout, string stderr) = await vm.ExecAsync(environment, "sh", "-c", "printf '%s|%s|%s' \"$1\" \"$HTTPS_PROXY\" \"$TOKEN\"", "sh", tricky);

        Assert.True(exit == 0, stderr);
        Assert.Equal(tricky + "|http://10.209.0.1:3128|gw-placeholder-'x'", stdout);
    }

    [MicrovmFact]
    public async Task Exec_OfAMissingCommand_Exits127()
    {
        (int exit, _, string stderr) = await vm.ExecAsync("no-such-command-here");

        Assert.Equal(127, exit);
        Assert.Contains("no-such-command-here", stderr, StringComparison.Ordinal);
    }

    [MicrovmFact]
    public async Task Guest_HasItsAddress_ItsRoute_AndItsResolver()
    {
        (int exit, string stdout, string stderr) = await vm.ExecAsync("sh", "-c", "ip -4 addr show eth0; ip route; cat /etc/resolv.conf");

        Assert.True(exit == 0, stderr);
        Assert.Contains($"inet {vm.Record.SandboxAddress}/30", stdout, StringComparison.Ordinal);
        Assert.Contains($"default via {vm.Record.HostAddress}", stdout, StringComparison.Ordinal);
        Assert.Contains($"nameserver {vm.Record.HostAddress}", stdout, StringComparison.Ordinal);
    }

    [MicrovmFact]
    public async Task Guest_Http_IsRedirectedByVmmsChains_ToTheHostEnd()
    {
        // Port 80 is closed on the host end; nftables' redirect takes it to the "transparent" port, where
        // the fixture's listener answers: the tap, the guest's virtio-net, its address and vmm's chains all work.
        (int exit, string stdout, string stderr) = await vm.ExecAsync("curl", "--silent", "--show-error", "--max-time", "20", $"http://{vm.Record.HostAddress}/");

        Assert.True(exit == 0, stderr);
        Assert.Equal("hello from the host", stdout);
    }

    [MicrovmFact]
    public async Task Guest_OtherPorts_AreDropped()
    {
        (int exit, _, string stderr) = await vm.ExecAsync("curl", "--silent", "--show-error", "--max-time", "3", $"http://{vm.Record.HostAddress}:22/");

        Assert.NotEqual(0, exit);
        Assert.Contains("curl", stderr, StringComparison.Ordinal);
    }

    [MicrovmFact]
    public void Vm_IsAlive_WhileItRuns_AndSaysWhichAccelerator()
    {
        Assert.True(new MicrovmKind().IsAlive(vm.Record));
        string accelerator = vm.Record.KindState[MicrovmKind.AcceleratorKey];
        Assert.Matches("^(kvm|tcg) \\(.+\\)$", accelerator);
    }
}
