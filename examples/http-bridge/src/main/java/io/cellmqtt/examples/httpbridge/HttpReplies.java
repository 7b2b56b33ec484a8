package io.cellmqtt.examples.httpbridge;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import org.apache.camel.Exchange;
import org.apache.camel.util.json.JsonObject;

/**
 * The two things the YAML routes cannot say well by themselves: the MQTT topic carried in the request path (percent
 * decoded level by level, so {@code %2F} stays inside a level's bytes and {@code +} stays a '+' that the component
 * then refuses as a wildcard) and JSON bodies whose strings are escaped.
 */
public final class HttpReplies {

    /** The path prefix of the publish route; everything after it is the topic. */
    public static final String PUBLISH_PATH = "/publish";

    private HttpReplies() {
    }

    /**
     * The topic of {@code POST /publish/<topic>}: the raw request path (header {@code CamelHttpUri}, which Vert.x
     * leaves undecoded) after {@code /publish/}, percent decoded as UTF-8. {@code /publish} and {@code /publish/}
     * give the empty topic, which the component refuses.
     */
    public static String topic(Exchange exchange) {
        String uri = exchange.getMessage().getHeader(Exchange.HTTP_URI, "", String.class);
        int query = uri.indexOf('?');
        String path = query < 0 ? uri : uri.substring(0, query);
        int at = path.indexOf(PUBLISH_PATH);
        String rest = at < 0 ? "" : path.substring(at + PUBLISH_PATH.length());
        if (rest.startsWith("/")) {
            rest = rest.substring(1);
        }
        return percentDecode(rest);
    }

    /** RFC 3986 percent decoding of a path: no '+'-to-space (that is form encoding, not paths). */
    static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()
                    && Character.digit(s.charAt(i + 1), 16) >= 0 && Character.digit(s.charAt(i + 2), 16) >= 0) {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code {"messageId":…,"clientIndex":…,"topic":"…"}}: the answer to an acknowledged publish. */
    public static String accepted(Exchange exchange) {
        JsonObject json = new JsonObject();
        json.put("messageId", exchange.getMessage().getHeader("CamelCellMqttMessageId", Integer.class));
        json.put("clientIndex", exchange.getMessage().getHeader("CamelCellMqttClientIndex", Integer.class));
        json.put("topic", exchange.getMessage().getHeader("CamelCellMqttOverrideTopic", String.class));
        return json.toJson();
    }

    /**
     * {@code {"status":…,"error":"…","reason":"…"}}: the status the route set in {@code CamelHttpResponseCode}, and
     * the message of the exception caught (the component's own words: which limit, which timeout, which result).
     */
    public static String error(Exchange exchange) {
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 500, Integer.class);
        Throwable caught = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        JsonObject json = new JsonObject();
        json.put("status", status);
        json.put("error", switch (status) {
            case 400 -> "Bad Request";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Internal Server Error";
        });
        json.put("reason", caught == null ? null : caught.getMessage());
        json.put("exception", caught == null ? null : caught.getClass().getName());
        return json.toJson();
    }
}
