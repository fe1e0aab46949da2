namespace Gateway.Relay;

/// <summary>What one tunnel relayed, for the audit event and the <c>bytes_total</c> metric.</summary>
/// <param name="BytesFromClient">Bytes sent to the upstream (client → upstream), including bytes the caller left unconsumed in the reader.</param>
/// <param name="BytesToClient">Bytes received from the upstream and handed to the client transport.</param>
/// <param name="End">Why the relay ended.</param>
internal readonly record struct RelayResult(long BytesFromClient, long BytesToClient, RelayEnd End);
