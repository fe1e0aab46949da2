using System.Text;

namespace Gateway.Protocols;

internal static partial class ConnectRequestReader
{
    // field-line = field-name ":" OWS field-value OWS CRLF (RFC 9112 §5); `line` is all of it
    // but the LF. An empty line (just the CR) ends the head.
    private static ConnectRejection ReadHeaderLine(ReadOnlySpan<byte> line, ref ConnectHead head, out bool endOfHead)
    {
        endOfHead = false;
        if (line.IsEmpty || line[^1] != '\r')
        {
            return ConnectRejection.MalformedHeader;
        }

        line = line[..^1];
        if (line.IsEmpty)
        {
            endOfHead = true;
            return ConnectRejection.None;
        }

        // The name must be a non-empty token right up to the colon. That refuses obs-fold (a
        // line starting with SP or HT, RFC 9112 §5.2) and whitespace before the colon
        // (RFC 9112 §5.1), both classic ways to make two parsers see different headers.
        int colon = line.IndexOfAnyExcept(s_tokenBytes);
        if (colon <= 0 || line[colon] != ':')
        {
            return ConnectRejection.MalformedHeader;
        }

        ReadOnlySpan<byte> name = line[..colon];

        // Values may hold SP, HT, VCHAR and obs-text; any other control byte (CR and NUL
        // included) is refused rather than replaced (RFC 9110 §5.5).
        ReadOnlySpan<byte> value = line[(colon + 1)..];
        if (value.IndexOfAny(s_valueControlBytes) >= 0)
        {
            return ConnectRejection.MalformedHeader;
        }

        return ReadField(name, value.Trim(" \t"u8), ref head);
    }

    // Only the fields that change how the head is understood; the rest are checked for syntax
    // and dropped (the tunnel carries no headers upstream).
    private static ConnectRejection ReadField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, ref ConnectHead head)
    {
        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "Host"u8):
                return ReadHost(value, ref head);
            case 19 when Ascii.EqualsIgnoreCase(name, "Proxy-Authorization"u8):
                if (head.HasProxyAuthorization)
                {
                    return ConnectRejection.DuplicateProxyAuthorization;
                }

                return head.TrySetProxyAuthorization(value) ? ConnectRejection.None : ConnectRejection.MalformedHeader;
            case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                return value.SequenceEqual("0"u8) ? ConnectRejection.None : ConnectRejection.ContentNotAllowed;
            case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                return ConnectRejection.ContentNotAllowed;
            default:
                return ConnectRejection.None;
        }
    }

    // Host = uri-host [ ":" port ] (RFC 9110 §7.2). It must name the request-target: same host
    // (ASCII case aside) and, when it has one, the same port. Clients that leave the port out
    // are common enough to allow; a Host that points elsewhere is not.
    private static ConnectRejection ReadHost(ReadOnlySpan<byte> value, ref ConnectHead head)
    {
        if (head.HasHostHeader)
        {
            return ConnectRejection.DuplicateHost;
        }

        head.MarkHostHeader();
        ReadOnlySpan<byte> host = head.Host;
        if (value.Length < host.Length || !Ascii.EqualsIgnoreCase(value[..host.Length], host))
        {
            return ConnectRejection.ConflictingHost;
        }

        ReadOnlySpan<byte> afterHost = value[host.Length..];
        if (afterHost.IsEmpty)
        {
            return ConnectRejection.None;
        }

        return afterHost[0] == ':' && TryParsePort(afterHost[1..], out int port) && port == head.Port
            ? ConnectRejection.None
            : ConnectRejection.ConflictingHost;
    }
}
