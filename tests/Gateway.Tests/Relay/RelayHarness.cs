using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Relay;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Relay;

/// <summary>
/// A real Kestrel listener on 127.0.0.1:0 whose connection middleware dials a loopback upstream
/// listener (the test drives the accepted socket) and hands both to <see cref="TunnelRelay"/>.
/// </summary>
internal sealed class RelayHarness : IAsyncDisposable
{
    /// <summary>The deadline of every await in these tests; generous, never a timing assertion.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly TcpListener _upstreamListener = new(IPAddress.Loopback, 0);
    private readonly TaskCompletionSource<RelayResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TunnelRelay _relay = new(TimeProvider.System, TimeSpan.FromMilliseconds(50));
    private readonly TimeSpan _idleTimeout;
    private readonly bool _consumeHeadLine;
    private readonly bool _direct;
    private readonly bool _blockingUpstream;
    private WebApplication? _app;

    private RelayHarness(TimeSpan idleTimeout, bool consumeHeadLine, bool direct, bool blockingUpstream)
    {
        _idleTimeout = idleTimeout;
        _consumeHeadLine = consumeHeadLine;
        _direct = direct;
        _blockingUpstream = blockingUpstream;
    }

    /// <summary>In direct mode: whether the last tunnel's sockets could be spliced (else the relay copied through a buffer).</summary>
    public bool? Spliceable { get; private set; }

    public IPEndPoint ProxyEndPoint { get; private set; } = null!;

    /// <summary>Passed to the relay; tests cancel it to stop a tunnel.</summary>
    public CancellationTokenSource RelayCancellation { get; } = new();

    /// <summary>What the relay returned (or what the middleware threw), with the deadline applied.</summary>
    public Task<RelayResult> Result => _result.Task.WaitAsync(Deadline);

    /// <param name="idleTimeout">The relay's idle timeout (infinite by default).</param>
    /// <param name="consumeHeadLine">When true the middleware first reads one line (a stand-in for the CONNECT head) and advances past it only.</param>
    /// <param name="direct">When true the relay gets the client's socket (what the listeners pass): upstream → client bytes are spliced past Kestrel's output pipe.</param>
    /// <param name="blockingUpstream">When true the upstream is connected synchronously and stays a blocking descriptor, which the direct path must not splice (it copies instead).</param>
    public static async Task<RelayHarness> StartAsync(TimeSpan? idleTimeout = null, bool consumeHeadLine = false, bool direct = false, bool blockingUpstream = false)
    {
        var harness = new RelayHarness(idleTimeout ?? Timeout.InfiniteTimeSpan, consumeHeadLine, direct, blockingUpstream);
        harness._upstreamListener.Start();

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(_ => harness.HandleAsync)));
        harness._app = builder.Build();
        using var start = new CancellationTokenSource(Deadline);
        await harness._app.StartAsync(start.Token);

        string address = harness._app.Services.GetRequiredService<IServer>().Features
            .GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        harness.ProxyEndPoint = new IPEndPoint(IPAddress.Loopback, new Uri(address).Port);
        return harness;
    }

    /// <summary>The upstream side of the tunnel, once the middleware dialled it.</summary>
    public async Task<Socket> AcceptUpstreamAsync(CancellationToken cancellation) =>
        await _upstreamListener.AcceptSocketAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }

        _upstreamListener.Stop();
        _upstreamListener.Dispose();
        _relay.Dispose();
        RelayCancellation.Dispose();
    }

    private async Task HandleAsync(ConnectionContext connection)
    {
        try
        {
            var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (_blockingUpstream)
            {
                upstream.Connect(_upstreamListener.LocalEndpoint);
            }
            else
            {
                using var connect = new CancellationTokenSource(Deadline);
                await upstream.ConnectAsync(_upstreamListener.LocalEndpoint, connect.Token);
            }

            if (_consumeHeadLine && !await SkipLineAsync(connection.Transport.Input))
            {
                upstream.Dispose();
                _result.TrySetException(new InvalidOperationException("the client closed before sending a head line"));
                return;
            }

            Socket? clientSocket = null;
            if (_direct && (clientSocket = TunnelRelay.DirectSocketOf(connection)) is null)
            {
                upstream.Dispose();
                _result.TrySetException(new InvalidOperationException("Kestrel's socket transport exposed no IConnectionSocketFeature"));
                return;
            }

            Spliceable = clientSocket is null ? null : Splice.CanSplice(upstream, clientSocket);

            RelayResult result = await _relay.RunAsync(connection.Transport, upstream, _idleTimeout, RelayCancellation.Token, clientSocket);
            _result.TrySetResult(result);
        }
        catch (Exception ex)
        {
            _result.TrySetException(ex);
        }
    }

    /// <summary>Consumes one line, leaving whatever followed it in the same read unconsumed: what the CONNECT reader does.</summary>
    private static async Task<bool> SkipLineAsync(PipeReader input)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            ReadResult read = await input.ReadAsync(deadline.Token);
            SequencePosition? newline = read.Buffer.PositionOf((byte)'\n');
            if (newline is not null)
            {
                input.AdvanceTo(read.Buffer.GetPosition(1, newline.Value));
                return true;
            }

            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (read.IsCompleted)
            {
                return false;
            }
        }
    }
}
