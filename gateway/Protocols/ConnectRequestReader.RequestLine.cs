namespace Gateway.Protocols;

internal static partial class ConnectRequestReader
{
    private const int MaxPortDigits = 5;

    // " HTTP/1.x": where x sits.
    private const int MinorVersionOffset = 8;

    // request-line = "CONNECT" SP authority SP HTTP-version CRLF; `line` is all of it but the LF.
    private static ConnectRejection ReadRequestLine(ReadOnlySpan<byte> line, ref ConnectHead head)
    {
        if (line.Length <= MethodLength || line[^1] != '\r')
        {
            return ConnectRejection.MalformedRequestLine;
        }

        ReadOnlySpan<byte> rest = line[MethodLength..^1];
        return TryReadCommonRequestLine(rest, ref head) ? ConnectRejection.None : DiagnoseRequestLine(rest, ref head);
    }

    // The shape nearly every client sends, "reg-name:port HTTP/1.x", accepted with one vector
    // scan. It accepts nothing the full check below would refuse; anything else (IPv6
    // literals, and every malformed line) goes there, which also names the reason.
    private static bool TryReadCommonRequestLine(ReadOnlySpan<byte> rest, ref ConnectHead head)
    {
        int hostLength = rest.IndexOfAnyExcept(s_regNameBytes);
        if (hostLength <= 0 || hostLength > ConnectHead.MaxHostLength || rest[hostLength] != ':')
        {
            return false;
        }

        ReadOnlySpan<byte> afterColon = rest[(hostLength + 1)..];
        int portLength = 0;
        while (portLength < afterColon.Length && portLength <= MaxPortDigits && char.IsAsciiDigit((char)afterColon[portLength]))
        {
            portLength++;
        }

        ReadOnlySpan<byte> version = afterColon[portLength..];
        if (version.Length != MinorVersionOffset + 1 || version[0] != ' ' || !version[1..MinorVersionOffset].SequenceEqual("HTTP/1."u8))
        {
            return false;
        }

        int minorVersion = version[MinorVersionOffset] - '0';
        if ((uint)minorVersion > 1 || !TryParsePort(afterColon[..portLength], out int port))
        {
            return false;
        }

        head.SetRequestLine(rest[..hostLength], port, minorVersion);
        return true;
    }

    private static ConnectRejection DiagnoseRequestLine(ReadOnlySpan<byte> rest, ref ConnectHead head)
    {
        // Between the method and the CR: no control byte at all (a CR here is a stray CR, HT is
        // not a separator), and exactly one more SP.
        if (rest.IndexOfAny(s_controlBytes) >= 0)
        {
            return ConnectRejection.MalformedRequestLine;
        }

        int space = rest.IndexOf((byte)' ');
        if (space <= 0)
        {
            return ConnectRejection.MalformedRequestLine;
        }

        ReadOnlySpan<byte> target = rest[..space];
        ReadOnlySpan<byte> version = rest[(space + 1)..];
        if (version.IsEmpty || version.Contains((byte)' '))
        {
            return ConnectRejection.MalformedRequestLine;
        }

        int minorVersion = version.SequenceEqual("HTTP/1.1"u8) ? 1 : version.SequenceEqual("HTTP/1.0"u8) ? 0 : -1;
        if (minorVersion < 0)
        {
            return ConnectRejection.UnsupportedVersion;
        }

        ConnectRejection rejection = ReadAuthority(target, out ReadOnlySpan<byte> host, out int port);
        if (rejection == ConnectRejection.None)
        {
            head.SetRequestLine(host, port, minorVersion);
        }

        return rejection;
    }

    // authority-form = uri-host ":" port (RFC 9112 §3.2.3). Only what cannot be an authority is
    // refused here; whether the host is a valid name or a strict IP literal is HostCanonicalizer's call.
    private static ConnectRejection ReadAuthority(ReadOnlySpan<byte> target, out ReadOnlySpan<byte> host, out int port)
    {
        host = default;
        port = 0;
        if (target.IndexOfAny(s_authorityDelimiters) >= 0)
        {
            // Userinfo first, whatever else is wrong: "user:secret@host" must be named as such.
            return target.Contains((byte)'@') ? ConnectRejection.UserinfoInAuthority : ConnectRejection.InvalidAuthority;
        }

        ReadOnlySpan<byte> portText;
        if (target[0] == '[')
        {
            // IP-literal = "[" ( IPv6address / IPvFuture ) "]" (RFC 3986 §3.2.2).
            int close = target.IndexOf((byte)']');
            if (close < 0)
            {
                return ConnectRejection.InvalidAuthority;
            }

            ReadOnlySpan<byte> literal = target[1..close];
            if (literal.IsEmpty || literal.IndexOfAnyExcept(s_ipLiteralBytes) >= 0)
            {
                return ConnectRejection.InvalidAuthority;
            }

            host = target[..(close + 1)];
            ReadOnlySpan<byte> afterHost = target[(close + 1)..];
            if (afterHost.IsEmpty)
            {
                return ConnectRejection.InvalidPort;
            }

            if (afterHost[0] != ':')
            {
                return ConnectRejection.InvalidAuthority;
            }

            portText = afterHost[1..];
        }
        else
        {
            // A reg-name or IPv4 holds no ':', so the last one starts the port; one left in the
            // host is an unbracketed IPv6 literal.
            int colon = target.LastIndexOf((byte)':');
            if (colon < 0)
            {
                return ConnectRejection.InvalidPort;
            }

            host = target[..colon];
            if (host.IsEmpty || host.IndexOfAnyExcept(s_regNameBytes) >= 0)
            {
                return ConnectRejection.InvalidAuthority;
            }

            portText = target[(colon + 1)..];
        }

        if (host.Length > ConnectHead.MaxHostLength)
        {
            return ConnectRejection.InvalidAuthority;
        }

        return TryParsePort(portText, out port) ? ConnectRejection.None : ConnectRejection.InvalidPort;
    }

    // 1–65535 in decimal digits, without a leading zero: one spelling per port, so the audit log
    // shows what the policy matched, and no "0443" that another parser might read as octal.
    private static bool TryParsePort(ReadOnlySpan<byte> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > MaxPortDigits || text[0] == '0')
        {
            return false;
        }

        int value = 0;
        foreach (byte b in text)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                return false;
            }

            value = (value * 10) + (int)digit;
        }

        if (value > ushort.MaxValue)
        {
            return false;
        }

        port = value;
        return true;
    }
}
