using System.Net;
using System.Net.Sockets;
using Vmm.Microvm;
using Vmm.Network;
using Vmm.Sandboxes;

namespace Vmm.Tests.Microvm;

/// <summary>
/// One microVM for a whole test class (a TCG boot costs seconds): made by <see cref="MicrovmKind"/>
/// itself on a host-wide claimed block, its tap confined by vmm's own nftables chains towards a
/// loopback-free port set that only <see cref="HostListener"/> answers on, removed on dispose.
/// </summary>
public sealed class BootedMicrovm : IAsyncLifetime
{
    private readonly MicrovmKind _kind = new();
    private readonly string _root = System.IO.Directory.CreateTempSubdirectory("vmm-microvm-").FullName;
    private AddressBlock? _block;
    private bool _chains;

    internal SandboxRecord Record { get; private set; } = null!;

    internal MicrovmImage Image { get; private set; } = null!;

    /// <summary>Answers "hello from the host" to one HTTP request per connection; TCP 80 from the VM is redirected to it.</summary>
    internal TcpListener HostListener { get; private set; } = null!;

    public string Name { get; } = "m" + Random.Shared.Next(0x10000, 0xFFFFF).ToString("x5", System.Globalization.CultureInfo.InvariantCulture);

    public async Task InitializeAsync()
    {
        if (MicrovmFactAttribute.SkipReason() is not null)
        {
            return;
        }

        SharedImage.Use();
        string state = Path.Combine(_root, "state");
        string directory = Path.Combine(state, "vmm", "files", Name);
        System.IO.Directory.CreateDirectory(directory);
        string owner = Path.Combine(_root, "owner");
        await File.WriteAllTextAsync(owner, Name);
        AddressBlock block = await BlockClaims.ClaimAsync(owner, CancellationToken.None);
        _block = block;

        HostListener = ListenBelowTheEphemeralRange();
        int port = ((IPEndPoint)HostListener.LocalEndpoint).Port;
        _ = AnswerAsync();
        var ports = new GatewayPorts(port, port, port, null);
        await NftRuleset.ApplyAsync(NftRuleset.Add(block.InterfaceName, block.HostAddress, block.SandboxAddress, ports), CancellationToken.None);
        _chains = true;

        Image = await MicrovmImage.EnsureAsync(MicrovmImage.DirectoryFor(state), CancellationToken.None);
        var plan = new SandboxPlan
        {
            Name = Name,
            Kind = _kind.Name,
            Block = block,
            Ports = ports,
            Kits = [],
            Environment = new Dictionary<string, string>(),
            Directory = directory,
            CaBundle = CaBundle.SystemBundle,
        };
        var rollback = new Rollback();
        try
        {
            await _kind.CreateAsync(plan, rollback, CancellationToken.None);
        }
        catch
        {
            await rollback.RunAsync();
            throw;
        }

        Record = new SandboxRecord(
            Name, _kind.Name, SandboxStatus.Ready, block.Index, block.InterfaceName, block.HostAddress.ToString(), block.SandboxAddress.ToString(),
            [], [], null, plan.Environment, plan.KindState, 0, DateTimeOffset.UtcNow);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Record is not null)
            {
                await _kind.RemoveAsync(Record, CancellationToken.None);
            }

            if (_block is { } block)
            {
                await HostLinks.DeleteAsync(block.InterfaceName);
                if (_chains)
                {
                    await NftRuleset.ApplyAsync(NftRuleset.Remove(block.InterfaceName), CancellationToken.None);
                }

                BlockClaims.Release(block);
            }
        }
        finally
        {
            HostListener?.Stop();
            System.IO.Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Runs a command in the VM through the guest agent; returns exit code, stdout, stderr.</summary>
    internal async Task<(int Exit, string Stdout, string Stderr)> ExecAsync(IReadOnlyDictionary<string, string> environment, params string[] argv)
    {
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        int exit = await GuestAgent.RunAsync(new VmFiles(Record.KindState[MicrovmKind.DirectoryKey]).AgentSocket, argv, environment, stdout, stderr, timeout.Token);
        return (exit, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
    }

    internal Task<(int Exit, string Stdout, string Stderr)> ExecAsync(params string[] argv) => ExecAsync(new Dictionary<string, string>(), argv);

    // Port 0 picks from the ephemeral range, which load tests on this shared machine fill with
    // tens of thousands of TIME-WAIT sockets ("Address already in use"); ports below it are quiet.
    private static TcpListener ListenBelowTheEphemeralRange()
    {
        for (int attempt = 0; ; attempt++)
        {
            var listener = new TcpListener(IPAddress.Any, Random.Shared.Next(20000, 32000));
            try
            {
                listener.Start();
                return listener;
            }
            catch (SocketException) when (attempt < 50)
            {
                listener.Dispose();
            }
        }
    }

    private async Task AnswerAsync()
    {
        // Bounded by the listener's life: Stop() on dispose ends AcceptTcpClientAsync.
        while (true)
        {
            TcpClient client;
            try
            {
                client = await HostListener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (client)
            {
                try
                {
                    NetworkStream stream = client.GetStream();
                    using var read = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                    byte[] head = new byte[4096];
                    _ = await stream.ReadAsync(head, read.Token);
                    await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\nhello from the host"u8.ToArray(), read.Token);
                }
                catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                {
                    // The test that made this connection reports the failure.
                }
            }
        }
    }
}
