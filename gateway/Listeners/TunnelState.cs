using System.IO.Pipelines;
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

    /// <summary>Starts the header timer, also cancelled when the client goes away.</summary>
    public void ArmHeaderTimeout(TimeSpan timeout, CancellationToken connectionClosed)
    {
        _linked = connectionClosed.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _timeout);
        _timeout.CancelAfter(timeout);
    }

    /// <summary>
    /// The next read of a request head or hello, bounded by the armed header timer; null when the
    /// time ran out or the client went away first.
    /// </summary>
    public async ValueTask<ReadResult?> ReadBeforeHeaderTimeoutAsync(PipeReader input)
    {
        try
        {
            return await input.ReadAsync(_timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public void DisarmHeaderTimeout()
    {
        _linked.Dispose();
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
