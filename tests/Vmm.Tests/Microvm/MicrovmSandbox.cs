using System.Globalization;
using System.Text.Json;
using Vmm.Microvm;

namespace Vmm.Tests.Microvm;

/// <summary>
/// One microVM made by the real <c>vmm create --kind microvm</c> against the real gateway of a
/// <see cref="SandboxHost"/>, shared by a test class (a TCG boot costs seconds), with the test
/// upstream's CA copied into the guest. Dispose runs <c>vmm rm</c> and fails the class if QEMU or
/// the tap device survives it.
/// </summary>
public sealed class MicrovmSandbox : IAsyncLifetime
{
    /// <summary>Where the guest keeps the test upstream's CA, for <c>curl --cacert</c>.</summary>
    public const string GuestCaFile = "/tmp/upstream-ca.pem";

    public SandboxHost Host { get; } = new();

    public string Name => Host.Name("vm");

    public JsonElement Row { get; private set; }

    public string Gateway => Row.GetProperty("gateway").GetString()!;

    public async Task InitializeAsync()
    {
        if (MicrovmFactAttribute.SkipReason() is not null)
        {
            return;
        }

        SharedImage.Use();
        await Host.InitializeAsync();

        // Built (or found current) before create, so vmm create's own bound covers only the boot.
        await MicrovmImage.EnsureAsync(SharedImage.Directory, CancellationToken.None);
        Row = await Host.CreateAsync(Name, "--kind", "microvm", "--kit", Host.KitFile);
        string pem = await File.ReadAllTextAsync(Host.Upstream.CaFile);
        (await Host.ExecAsync(Name, "sh", "-c", "printf '%s' \"$1\" > " + GuestCaFile, "sh", pem)).AssertSuccess();
    }

    public async Task DisposeAsync()
    {
        if (MicrovmFactAttribute.SkipReason() is not null)
        {
            await Host.DisposeAsync();
            return;
        }

        string record = Path.Combine(Host.StateDir, "vmm", "sandboxes", Name + ".json");
        (int Pid, string PidFile, string Tap)? vm = File.Exists(record) ? Describe(record) : null;
        await Host.DisposeAsync();
        if (vm is var (pid, pidFile, tap))
        {
            // The kernel finishes tearing down a killed QEMU (its memory, its tap queue) a moment
            // after the signal: a bounded wait, then the same two facts must hold.
            long deadline = Environment.TickCount64 + 10_000;
            while ((QemuProcess.IsAlive(pid, pidFile) || TapLeft(tap)) && Environment.TickCount64 < deadline)
            {
                await Task.Delay(100);
            }

            Assert.False(QemuProcess.IsAlive(pid, pidFile), $"QEMU (pid {pid}) still runs 10 s after vmm rm");
            Assert.False(TapLeft(tap), $"tap {tap} still exists 10 s after vmm rm");
        }
    }

    // Once rm lets the block go, a parallel test class's create may make a link of the same name.
    private bool TapLeft(string tap) => Directory.Exists("/sys/class/net/" + tap) && !SandboxLeftovers.TakenByAnother(Name, tap);

    /// <summary>curl in the guest, bounded, trusting the test upstream; proxy variables ignored unless <paramref name="viaProxy"/>.</summary>
    internal Task<ToolResult> CurlAsync(string url, bool viaProxy = false, params string[] extra) =>
        Host.ExecAsync(Name, ["curl", "--silent", "--show-error", "--max-time", "20", "--cacert", GuestCaFile, .. viaProxy ? Array.Empty<string>() : ["--noproxy", "*"], .. extra, url]);

    private static (int, string, string) Describe(string recordFile)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(recordFile));
        JsonElement root = document.RootElement;
        JsonElement state = root.GetProperty("kindState");
        int pid = int.Parse(state.GetProperty(MicrovmKind.PidKey).GetString()!, CultureInfo.InvariantCulture);
        string pidFile = new VmFiles(state.GetProperty(MicrovmKind.DirectoryKey).GetString()!).PidFile;
        return (pid, pidFile, root.GetProperty("hostInterface").GetString()!);
    }
}
