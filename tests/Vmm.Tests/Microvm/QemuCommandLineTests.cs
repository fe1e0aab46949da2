using System.Net;
using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

public sealed class QemuCommandLineTests
{
    private static readonly MicrovmImage s_image = new("/img", "/img/vmlinuz", "/img/initrd.img");
    private static readonly VmFiles s_files = new("/state/vmm/files/dev");

    [Fact]
    public void Tcg_UsesQemu64_AndSkipsTheGuestsTscCalibration()
    {
        List<string> args = Build(new Accelerator(Accelerator.Tcg, "test"), 2596146);

        Assert.Equal("qemu64", After(args, "-cpu"));
        Assert.Equal("tcg", After(args, "-accel"));
        Assert.Contains("tsc_early_khz=2596146", After(args, "-append").Split(' '));
    }

    [Fact]
    public void Kvm_UsesTheHostCpu_AndLetsTheGuestCalibrate()
    {
        List<string> args = Build(new Accelerator(Accelerator.Kvm, "test"), 2596146);

        Assert.Equal("host", After(args, "-cpu"));
        Assert.DoesNotContain("tsc_early_khz", After(args, "-append"), StringComparison.Ordinal);
    }

    [Fact]
    public void Guest_GetsItsAddressRouteResolverAndName_OnTheKernelCommandLine()
    {
        string[] kernel = After(Build(new Accelerator(Accelerator.Tcg, "test"), null), "-append").Split(' ');

        Assert.Contains("vmm.ip=10.209.0.6/30", kernel);
        Assert.Contains("vmm.gw=10.209.0.5", kernel);
        Assert.Contains("vmm.dns=10.209.0.5", kernel);
        Assert.Contains("vmm.name=dev", kernel);
        Assert.Contains("vmm.time=1700000000", kernel);
    }

    [Fact]
    public void Qemu_Daemonizes_WithItsFilesInTheSandboxDirectory_OnTheSandboxTap()
    {
        List<string> args = Build(new Accelerator(Accelerator.Tcg, "test"), null);

        Assert.Contains("-daemonize", args);
        Assert.Equal("/state/vmm/files/dev/qemu.pid", After(args, "-pidfile"));
        Assert.Equal("file:/state/vmm/files/dev/console.log", After(args, "-serial"));
        Assert.Equal("tap,id=net0,ifname=egw1,script=no,downscript=no", After(args, "-netdev"));
        Assert.Contains("virtio-net-device,netdev=net0,mac=52:54:00:d1:00:06", args);
        Assert.Contains("socket,id=agent,path=/state/vmm/files/dev/agent.sock,server=on,wait=off", args);
        Assert.Contains("virtserialport,chardev=agent,name=vmm.agent", args);
    }

    private static List<string> Build(Accelerator accelerator, long? tsc) =>
        QemuCommandLine.Build(
            accelerator, s_image, s_files, "dev", "egw1", IPAddress.Parse("10.209.0.6"), 30, IPAddress.Parse("10.209.0.5"),
            tsc, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));

    private static string After(List<string> args, string option) => args[args.IndexOf(option) + 1];
}
