using System.Net.Sockets;
using Gateway.Cli;
using Gateway.Configuration;

namespace Gateway.Tests.Admin;

/// <summary>A daemon that accepts on its admin socket and then drops the request: the CLI says so in one line.</summary>
public sealed class AdminResetTests : IDisposable
{
    private readonly string _stateDir = Directory.CreateTempSubdirectory("gateway-admin-reset-").FullName;

    [Fact]
    public async Task SandboxLs_AgainstAResettingAdminSocket_FailsWithOneLine_NotAStackTrace()
    {
        string path = Path.Combine(_stateDir, "admin.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        listener.Listen();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task dropping = Task.Run(async () =>
        {
            // Accept every connection (HttpClient may retry once) and close it unanswered.
            while (!stop.IsCancellationRequested)
            {
                using Socket accepted = await listener.AcceptAsync(stop.Token);
                accepted.LingerState = new LingerOption(true, 0);
            }
        });

        var output = new StringWriter();
        int exit = await Task.Run(() => GatewayCli.Run(["--state-dir", _stateDir, "sandbox", "ls"], new CliContext
        {
            Out = output,
            Error = output,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        }));
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropping);

        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ExitCodes.Failure, exit);
        string line = Assert.Single(lines);
        Assert.StartsWith("gateway: the running gateway did not answer on its admin socket", line, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);
}
