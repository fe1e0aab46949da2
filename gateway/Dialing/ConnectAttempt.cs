using System.Net;
using System.Net.Sockets;

namespace Gateway.Dialing;

/// <summary>One TCP connect in a Happy Eyeballs race: its socket and its outcome as a value.</summary>
internal sealed class ConnectAttempt : IDisposable
{
    private ConnectAttempt(IPEndPoint endPoint) => EndPoint = endPoint;

    /// <summary>The address being dialled; the one the guard checked.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The socket; null only when it could not be created (address family not available).</summary>
    public Socket? Socket { get; private set; }

    /// <summary>Set by the race once it has looked at <see cref="Outcome"/>.</summary>
    public bool Harvested { get; set; }

    /// <summary>Completes with the outcome; never faults.</summary>
    public Task<EgressError> Outcome { get; private set; } = null!;

    /// <summary>Creates the socket and starts connecting; returns before the connect completes.</summary>
    public static ConnectAttempt Start(
        IPEndPoint endPoint, Func<Socket, IPEndPoint, CancellationToken, ValueTask> connect, CancellationToken cancellationToken)
    {
        var attempt = new ConnectAttempt(endPoint);
        attempt.Outcome = attempt.RunAsync(connect, cancellationToken);
        return attempt;
    }

    /// <summary>Takes the socket away from the attempt, so disposing the attempt leaves it open.</summary>
    public Socket DetachSocket()
    {
        Socket socket = Socket ?? throw new InvalidOperationException("The attempt has no socket.");
        Socket = null;
        return socket;
    }

    /// <summary>Closes the socket, which also aborts a connect still in flight.</summary>
    public void Dispose() => Socket?.Dispose();

    private async Task<EgressError> RunAsync(Func<Socket, IPEndPoint, CancellationToken, ValueTask> connect, CancellationToken cancellationToken)
    {
        try
        {
            // Created before the first await, so Socket is set by the time Start returns.
            Socket = new Socket(EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await connect(Socket, EndPoint, cancellationToken).ConfigureAwait(false);
            return EgressError.None;
        }
        catch (SocketException e)
        {
            return FromSocketError(e.SocketErrorCode);
        }
        catch (OperationCanceledException)
        {
            return EgressError.Timeout;
        }
        catch (ObjectDisposedException)
        {
            // The race closed this socket because another attempt won or time ran out.
            return EgressError.Timeout;
        }
    }

    private static EgressError FromSocketError(SocketError error) => error switch
    {
        SocketError.ConnectionRefused => EgressError.ConnectionRefused,
        SocketError.TimedOut => EgressError.Timeout,
        SocketError.OperationAborted => EgressError.Timeout,

        // EMFILE/ENFILE, ENOBUFS/ENOMEM, EADDRNOTAVAIL on connect (no free local port): the
        // gateway's own limits, which "upstream unreachable" would send an operator hunting for.
        SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable or SocketError.AddressNotAvailable => EgressError.OutOfSockets,
        _ => EgressError.Unreachable,
    };
}
