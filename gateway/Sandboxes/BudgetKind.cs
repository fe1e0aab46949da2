namespace Gateway.Sandboxes;

/// <summary>Which budget a connection or request exceeded; <see cref="None"/> when it was within every one.</summary>
internal enum BudgetKind
{
    None,
    Connections,
    ConnectionsPerSecond,
    RequestsPerSecond,
    UploadBytesPerHour,
}
