namespace FlowTrace.Server.Storage;

/// <summary>
/// The opaque client id cookie: a random id a browser is given on its first request and sends back with every later one
/// (the hub's connection included). On a public server the history lists a browser's own traces only; it identifies a
/// browser, not a person, and holds nothing else.
/// </summary>
public sealed class ClientIds(RequestDelegate next)
{
    /// <summary>The cookie's name.</summary>
    public const string Cookie = "flowtrace-client";

    private const string ItemKey = "FlowTrace.ClientId";

    /// <summary>Gives the request's browser an id if it has none yet.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var id = context.Request.Cookies[Cookie];
        if (!TraceIds.IsWellFormed(id))
        {
            id = TraceIds.New();
            context.Response.Cookies.Append(Cookie, id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                IsEssential = true,
                MaxAge = TimeSpan.FromDays(365),
                Path = "/",
            });
        }

        context.Items[ItemKey] = id;
        return next(context);
    }

    /// <summary>The id of the browser that sent this request.</summary>
    public static string? Of(HttpContext? context) =>
        context?.Items[ItemKey] as string ?? (TraceIds.IsWellFormed(context?.Request.Cookies[Cookie]) ? context!.Request.Cookies[Cookie] : null);
}
