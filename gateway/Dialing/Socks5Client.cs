using System.Net;
using System.Net.Sockets;

namespace Gateway.Dialing;

/// <summary>
/// The SOCKS5 handshake (RFC 1928, RFC 1929) over a socket already connected to the proxy:
/// greeting, optional username/password, CONNECT. Every read asks for exactly the bytes the
/// current frame still needs, so nothing past the CONNECT reply is consumed and the socket is
/// handed to the relay with the upstream's first bytes still in it. Frames live in one pooled
/// buffer the caller rents (<see cref="BufferSize"/>); the caller's deadline bounds the whole
/// handshake. Outcomes are <see cref="EgressError"/> values; only cancellation throws.
/// </summary>
internal static class Socks5Client
{
    /// <summary>Bytes a handshake buffer needs: frames at the start, the prepared RFC 1929 request at <see cref="AuthOffset"/>.</summary>
    public const int BufferSize = AuthOffset + Socks5Frames.MaxAuthRequestLength;

    // Greeting, method choice and auth status go here, after the CONNECT request built up front.
    private const int StatusOffset = Socks5Frames.MaxAddressFrameLength;

    /// <summary>Where the caller writes the RFC 1929 request (before connecting, so an unreadable credential never reaches the proxy).</summary>
    public const int AuthOffset = 512;

    /// <summary>
    /// Runs the handshake. <paramref name="authLength"/> is the length of the RFC 1929 request at
    /// <see cref="AuthOffset"/> in <paramref name="buffer"/>, or 0 to offer only "no authentication".
    /// <paramref name="address"/> is the destination when it is an IP literal; otherwise
    /// <paramref name="host"/> goes to the proxy as a name (ATYP 3), for the proxy to resolve.
    /// </summary>
    public static async ValueTask<EgressError> HandshakeAsync(
        Socket socket, byte[] buffer, int authLength, string host, IPAddress? address, int port, CancellationToken cancellationToken)
    {
        // Built before anything is sent: a name that cannot go on the wire never opens a conversation.
        int requestLength;
        if (address is not null)
        {
            requestLength = Socks5Frames.WriteConnect(buffer.AsSpan(0, Socks5Frames.MaxAddressFrameLength), address, port);
        }
        else if (!Socks5Frames.TryWriteConnect(buffer.AsSpan(0, Socks5Frames.MaxAddressFrameLength), host, port, out requestLength))
        {
            return EgressError.NameNotResolved;
        }

        int greetingOffset = StatusOffset;
        Memory<byte> greeting = buffer.AsMemory(greetingOffset, Socks5Frames.WriteGreeting(buffer.AsSpan(greetingOffset), authLength > 0));
        try
        {
            await SendAsync(socket, greeting, cancellationToken).ConfigureAwait(false);
            Memory<byte> choice = buffer.AsMemory(greetingOffset, 2);
            if (!await ReceiveExactlyAsync(socket, choice, cancellationToken).ConfigureAwait(false)
                || Socks5Frames.TryReadMethodChoice(choice.Span, out byte method, out _) != Socks5ParseStatus.Complete)
            {
                return EgressError.Socks5ProtocolError;
            }

            switch (method)
            {
                case Socks5Frames.NoAuthentication:
                    break;
                case Socks5Frames.UsernamePassword when authLength > 0:
                    EgressError authenticated = await AuthenticateAsync(socket, buffer, authLength, cancellationToken).ConfigureAwait(false);
                    if (authenticated != EgressError.None)
                    {
                        return authenticated;
                    }

                    break;
                case Socks5Frames.NoAcceptableMethods:
                    return EgressError.Socks5NoAcceptableMethod;
                default:
                    return EgressError.Socks5ProtocolError; // a method that was never offered
            }

            await SendAsync(socket, buffer.AsMemory(0, requestLength), cancellationToken).ConfigureAwait(false);
            return await ReadReplyAsync(socket, buffer.AsMemory(0, Socks5Frames.MaxAddressFrameLength), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return EgressError.Socks5ProtocolError; // reset mid-handshake
        }
    }

    private static async ValueTask<EgressError> AuthenticateAsync(Socket socket, byte[] buffer, int authLength, CancellationToken cancellationToken)
    {
        await SendAsync(socket, buffer.AsMemory(AuthOffset, authLength), cancellationToken).ConfigureAwait(false);
        Memory<byte> status = buffer.AsMemory(StatusOffset, 2); // past the prepared CONNECT request
        if (!await ReceiveExactlyAsync(socket, status, cancellationToken).ConfigureAwait(false))
        {
            // RFC 1929 §2: on failure the server MUST close the connection; some close without a status.
            return EgressError.Socks5AuthenticationFailed;
        }

        return Socks5Frames.TryReadAuthStatus(status.Span, out bool succeeded, out _) != Socks5ParseStatus.Complete
            ? EgressError.Socks5ProtocolError
            : succeeded ? EgressError.None : EgressError.Socks5AuthenticationFailed;
    }

    private static async ValueTask<EgressError> ReadReplyAsync(Socket socket, Memory<byte> reply, CancellationToken cancellationToken)
    {
        int have = 0;
        int need = Socks5Frames.MinReplyLength;
        while (true)
        {
            int read = await socket.ReceiveAsync(reply[have..need], SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                // The proxy hung up after saying what went wrong: its code is still the answer.
                return have >= 2 && reply.Span[0] == Socks5Frames.Version && reply.Span[1] != 0
                    ? EgressErrors.FromReply((Socks5ReplyCode)reply.Span[1])
                    : EgressError.Socks5ProtocolError;
            }

            have += read;
            switch (Socks5Frames.TryReadReply(reply.Span[..have], out Socks5ReplyCode code, out int length, out _))
            {
                case Socks5ParseStatus.Complete:
                    return EgressErrors.FromReply(code);
                case Socks5ParseStatus.Malformed:
                    return EgressError.Socks5ProtocolError;
                default:
                    need = Math.Max(length, have + 1);
                    break;
            }
        }
    }

    private static async ValueTask SendAsync(Socket socket, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        while (!frame.IsEmpty)
        {
            int sent = await socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            frame = frame[sent..];
        }
    }

    private static async ValueTask<bool> ReceiveExactlyAsync(Socket socket, Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (!destination.IsEmpty)
        {
            int read = await socket.ReceiveAsync(destination, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return false;
            }

            destination = destination[read..];
        }

        return true;
    }
}
