using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Gateway.Protocols;
using Microsoft.Extensions.ObjectPool;

namespace Gateway.Listeners;

/// <summary>Per-connection state of the L4 paths, pooled: the parsed CONNECT head or ClientHello, and the header timer.</summary>
internal sealed class TunnelState
{
    public ConnectHead Head;

    public ClientHello Hello;

    /// <summary>Shared by the forward and transparent listeners.</summary>
    public static ObjectPool<TunnelState> Pool { get; } =
        new DefaultObjectPool<TunnelState>(new Policy(), Environment.ProcessorCount * 64);

    private CancellationTokenSource _timeout = new();
    private CancellationTokenRegistration _linked;
    private CancellationToken _connectionClosed;

    /// <summary>
    /// After <see cref="ReadBeforeHeaderTimeoutAsync"/> returned null: true when the client reset or
    /// closed rather than the time running out. Its own doing, so it is no header timeout, gets no
    /// answer, and leaves at most a Debug line (invariant 6).
    /// </summary>
    public bool ClientGone { get; private set; }

    /// <summary>Starts the header timer, also cancelled when the client goes away.</summary>
    public void ArmHeaderTimeout(TimeSpan timeout, CancellationToken connectionClosed)
    {
        _connectionClosed = connectionClosed;
        ClientGone = false;
        _linked = connectionClosed.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timeout);
        _timeout.CancelAfter(timeout);
    }

    /// <summary>
    /// The next read of a request head or hello, bounded by the armed header timer; null when the
    /// time ran out or the client went away first (<see cref="ClientGone"/> says which).
    /// </summary>
    public async ValueTask<ReadResult?> ReadBeforeHeaderTimeoutAsync(PipeReader input)
    {
        try
        {
            return await input.ReadAsync(_timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            ClientGone = _connectionClosed.IsCancellationRequested;
            return null;
        }
        catch (Exception e) when (e is ConnectionResetException or IOException)
        {
            // A reset while the head was still arriving (the transport completes the pipe with it).
            ClientGone = true;
            return null;
        }
    }

    public void DisarmHeaderTimeout()
    {
        _linked.Dispose();
        _connectionClosed = CancellationToken.None;
        if (!_timeout.TryReset())
        {
            // A fired source cannot be reused; the next connection gets a fresh one.
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
    }

    internal sealed class Policy : PooledObjectPolicy<TunnelState>
    {
        public override TunnelState Create() => new();

        public override bool Return(TunnelState obj)
        {
            obj.Head.Reset();
            obj.Hello.Reset();
            return true;
        }
    }
}
