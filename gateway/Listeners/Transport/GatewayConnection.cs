using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Relay;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Listeners.Transport;

/// <summary>
/// One accepted client connection of the gateway's own transport: the socket, read on demand
/// (<see cref="SocketInput"/>) and written on flush (<see cref="SocketOutput"/>), with the features
/// Kestrel's HTTP stack and the L4 middleware ask for. A pure tunnel takes the socket over
/// (<see cref="IClientSocketFeature"/>) and splices both directions in the kernel.
/// </summary>
/// <remarks>
/// Reported like Kestrel's socket transport reports it: <c>ConnectionClosed</c> fires (on the
/// thread pool) once the client's side ended (FIN or reset, seen by a read or by the readiness
/// watch) or the connection was closed; completing the output closes the socket (with a reset when
/// it completes with an error); a read after that throws <see cref="ConnectionAbortedException"/>.
/// </remarks>
internal sealed partial class GatewayConnection : ConnectionContext, IDuplexPipe, IConnectionIdFeature, IConnectionTransportFeature,
    IConnectionItemsFeature, IConnectionEndPointFeature, IConnectionLifetimeFeature, IConnectionSocketFeature, IClientSocketFeature, IThreadPoolWorkItem
{
    private readonly SocketInput _input;
    private readonly SocketOutput _output;
    private readonly CancellationTokenSource _closed = new();
    private readonly FeatureCollection _features = new(8);
    private string? _id;
    private IDictionary<object, object?>? _items;
    private int _closeState; // 0 open, 1 closed
    private int _closedFired;

    public GatewayConnection(Socket socket)
    {
        Socket = socket;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        Watch = new ReadinessWatch(this);
        _input = new SocketInput(this);
        _output = new SocketOutput(this);
        Transport = this;
        ConnectionClosed = _closed.Token;
        _features.Set<IConnectionIdFeature>(this);
        _features.Set<IConnectionTransportFeature>(this);
        _features.Set<IConnectionItemsFeature>(this);
        _features.Set<IConnectionEndPointFeature>(this);
        _features.Set<IConnectionLifetimeFeature>(this);
        _features.Set<IConnectionSocketFeature>(this);
        _features.Set<IClientSocketFeature>(this);
    }

    /// <summary>The accepted socket.</summary>
    public Socket Socket { get; }

    /// <summary>Watches the socket for bytes, FIN or reset without reading them.</summary>
    public ReadinessWatch Watch { get; }

    /// <summary>True once the socket was closed (by the output completing, an abort or a failed send).</summary>
    public bool IsClosed => Volatile.Read(ref _closeState) != 0;

    public override string ConnectionId
    {
        get => _id ??= ConnectionIds.Next();
        set => _id = value;
    }

    public override IFeatureCollection Features => _features;

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new Dictionary<object, object?>();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    PipeReader IDuplexPipe.Input => _input;

    PipeWriter IDuplexPipe.Output => _output;

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _input.Fail(abortReason);
        Close(reset: false);
    }

    public override void Abort() => Abort(new ConnectionAbortedException("The connection was aborted by the application via ConnectionContext.Abort()."));

    /// <inheritdoc/>
    public void StopReading() => _input.Detach();

    public override ValueTask DisposeAsync()
    {
        _input.Complete();
        _output.Complete();
        Close(reset: false);
        return ValueTask.CompletedTask;
    }

    /// <summary>The client's side ended (FIN or an error): ConnectionClosed fires, once.</summary>
    public void OnReceiveEnded()
    {
        if (Interlocked.Exchange(ref _closedFired, 1) == 0)
        {
            // As Kestrel does: the token's callbacks run on the pool, never inside a read or a close.
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute() => _closed.Cancel();

    /// <summary>A receive failed: the exception reads report from now on.</summary>
    public Exception ReceiveFailed(nint result)
    {
        OnReceiveEnded();
        return NativeSocket.Error(result);
    }

    /// <summary>A send failed (the client reset or went away): reads end with the same reason, the socket closes.</summary>
    public void SendFailed(Exception reason)
    {
        _input.Fail(reason);
        Close(reset: false);
    }

    /// <summary>The application completed the output: the socket closes, reset when it completed with an error.</summary>
    public void OnOutputCompleted(Exception? error) => Close(reset: error is not null);

    private void Close(bool reset)
    {
        if (Interlocked.Exchange(ref _closeState, 1) != 0)
        {
            return;
        }

        try
        {
            if (reset)
            {
                // Linger 0: the close is an RST, how Kestrel passes on an output completed with an error.
                Socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                Socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The client already reset: nothing left to shut down.
        }

        Socket.Dispose();
        OnReceiveEnded();
    }
}
