namespace Gateway.Protocols;

internal static partial class ConnectRequestReader
{
    private enum MethodMatch
    {
        Connect,
        Incomplete,
        NotConnect,
        Malformed,
    }

    // Decides from as few bytes as possible: the first byte that cannot continue "CONNECT "
    // hands the connection to Kestrel (GET, POST, a TLS record's 0x16, a stray CRLF …).
    // "CONNECT" in another case is refused rather than handed on: the method is case-sensitive
    // (RFC 9110 §9.1), and a tunnel request in disguise must not reach the L7 path.
    private static MethodMatch MatchMethod(ReadOnlySpan<byte> prefix)
    {
        ReadOnlySpan<byte> method = Method;
        if (prefix.Length == MethodLength && prefix.SequenceEqual(method))
        {
            return MethodMatch.Connect;
        }

        bool otherCase = false;
        for (int i = 0; i < prefix.Length && i < method.Length; i++)
        {
            byte b = prefix[i];
            if (b == method[i])
            {
                continue;
            }

            if (i < MethodLength - 1)
            {
                // Only the two cases of the same letter agree once bit 0x20 is set.
                if ((b | 0x20) == (method[i] | 0x20))
                {
                    otherCase = true;
                    continue;
                }

                return MethodMatch.NotConnect;
            }

            // After the seven letters: a token byte makes a longer method ("CONNECTX"); anything
            // else is CONNECT with a broken separator (HT, CR …).
            return s_tokenBytes.Contains(b) ? MethodMatch.NotConnect : MethodMatch.Malformed;
        }

        if (prefix.Length < MethodLength)
        {
            return MethodMatch.Incomplete;
        }

        return otherCase ? MethodMatch.Malformed : MethodMatch.Connect;
    }

    private static ConnectParseStatus FromMethod(MethodMatch method, out ConnectRejection rejection)
    {
        rejection = method == MethodMatch.Malformed ? ConnectRejection.MalformedRequestLine : ConnectRejection.None;
        return method switch
        {
            MethodMatch.Incomplete => ConnectParseStatus.Incomplete,
            MethodMatch.NotConnect => ConnectParseStatus.NotConnect,
            MethodMatch.Malformed => ConnectParseStatus.Rejected,
            _ => Unreachable(),
        };

        static ConnectParseStatus Unreachable()
        {
            ThrowInvariant("FromMethod is only called for a method that is not CONNECT");
            return default;
        }
    }
}
