package io.cellmqtt.camel.oceanconnect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cellmqtt.camel.CellMqttConstants;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.spi.DataFormat;
import org.apache.camel.spi.DataFormatName;
import org.apache.camel.support.service.ServiceSupport;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of OceanConnect's MQTT topics (reference 000) as a Camel data format.
 *
 * <p><b>marshal</b> wraps a report into the {@code deviceReq} envelope published on
 * {@code /huawei/v1/devices/{deviceId}/data/json}:
 * <pre>{"identifier":"…","msgType":"deviceReq","hasMore":0,"data":[{"serviceId":"…","serviceData":{…}}]}</pre>
 * The body is one of
 * <ul>
 * <li>a {@code Map} (or a JSON object as {@code String}, {@code byte[]} or {@code JsonNode}): the
 * service data of one service, whose id is the {@value #SERVICE_ID} header or else the
 * {@code serviceId} option;</li>
 * <li>an {@link OceanConnectService}, or a {@code List} (or JSON array) of them or of maps with
 * {@code serviceId} and {@code serviceData} keys (any other key, such as {@code eventTime}, is
 * copied as it is): several services in one report.</li>
 * </ul>
 * {@code identifier} is the {@value #IDENTIFIER} header or else the {@code identifier} option
 * (the device id when made by {@link OceanConnect#dataFormat}); {@code hasMore} is the
 * {@value #HAS_MORE} header (0/1 or a boolean), 0 when absent.
 *
 * <p><b>unmarshal</b> turns a command received on {@code …/command/json} into a {@code Map}
 * (keys in the order received), or a {@code JsonNode} with {@code unmarshalJsonNode=true}. A
 * message whose {@value CellMqttConstants#TOPIC} header ends in {@code /command/binary} is
 * passed on as the {@code byte[]} it arrived as, so one consumer on {@code …/command/+} can
 * unmarshal both.
 */
public class OceanConnectDataFormat extends ServiceSupport implements DataFormat, DataFormatName {

    /** Header: the service id of a Map body; overrides the {@code serviceId} option. */
    public static final String SERVICE_ID = "CamelOceanConnectServiceId";
    /** Header: the envelope's {@code identifier}; overrides the {@code identifier} option. */
    public static final String IDENTIFIER = "CamelOceanConnectIdentifier";
    /** Header: the envelope's {@code hasMore}, 0 or 1 (or a boolean); 0 when absent. */
    public static final String HAS_MORE = "CamelOceanConnectHasMore";

    static final String MSG_TYPE = "deviceReq";
    private static final String BINARY_SUFFIX = "/command/binary";
    /** Thread-safe once configured; never reconfigured. */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private String serviceId;
    private String identifier;
    private boolean unmarshalJsonNode;

    @Override
    public String getDataFormatName() {
        return "oceanConnect";
    }

    public String getServiceId() {
        return serviceId;
    }

    /** The service id of a Map body when no {@value #SERVICE_ID} header names one. */
    public void setServiceId(String serviceId) {
        this.serviceId = serviceId;
    }

    public String getIdentifier() {
        return identifier;
    }

    /** The envelope's {@code identifier} when no {@value #IDENTIFIER} header gives one. */
    public void setIdentifier(String identifier) {
        this.identifier = identifier;
    }

    public boolean isUnmarshalJsonNode() {
        return unmarshalJsonNode;
    }

    /** Unmarshal to a Jackson {@code JsonNode} instead of a {@code Map}. */
    public void setUnmarshalJsonNode(boolean unmarshalJsonNode) {
        this.unmarshalJsonNode = unmarshalJsonNode;
    }

    @Override
    public void marshal(Exchange exchange, Object graph, OutputStream stream) throws Exception {
        stream.write(envelope(exchange.getMessage(), graph));
    }

    /** The {@code deviceReq} JSON of {@code body}, UTF-8. */
    byte[] envelope(Message message, Object body) throws JsonProcessingException {
        String id = message.getHeader(IDENTIFIER, identifier, String.class);
        if (id == null || id.isEmpty()) {
            throw new IllegalArgumentException("the deviceReq envelope needs an identifier: set the data format's"
                    + " identifier option (OceanConnect.device(...).dataFormat(...) sets the device id) or the "
                    + IDENTIFIER + " header");
        }
        ObjectNode root = MAPPER.createObjectNode();
        root.put("identifier", id);
        root.put("msgType", MSG_TYPE);
        root.put("hasMore", hasMore(message.getHeader(HAS_MORE)));
        ArrayNode data = root.putArray("data");
        for (ObjectNode service : services(body, message.getHeader(SERVICE_ID, serviceId, String.class))) {
            data.add(service);
        }
        return MAPPER.writeValueAsBytes(root);
    }

    private static int hasMore(Object header) {
        if (header == null) {
            return 0;
        }
        if (header instanceof Boolean b) {
            return b ? 1 : 0;
        }
        String s = header.toString().trim();
        if (s.equals("0") || s.equals("1")) {
            return Integer.parseInt(s);
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s) ? 1 : 0;
        }
        throw new IllegalArgumentException(HAS_MORE + "=" + s + " is not 0 or 1");
    }

    private static List<ObjectNode> services(Object body, String serviceId) throws JsonProcessingException {
        if (body instanceof String s) {
            return services(parse(s.getBytes(StandardCharsets.UTF_8), "the body"), serviceId);
        }
        if (body instanceof byte[] b) {
            return services(parse(b, "the body"), serviceId);
        }
        if (body instanceof OceanConnectService s) {
            return List.of(service(s));
        }
        if (body instanceof Map<?, ?> || (body instanceof JsonNode n && n.isObject())) {
            if (serviceId == null || serviceId.isEmpty()) {
                throw new IllegalArgumentException("a Map body is the data of one service, but no serviceId names it:"
                        + " set the data format's serviceId option or the " + SERVICE_ID + " header");
            }
            return List.of(service(new OceanConnectService(serviceId, toMap(body))));
        }
        Collection<?> list = body instanceof JsonNode n && n.isArray() ? toList(n)
                : body instanceof Collection<?> c ? c
                : body instanceof Object[] a ? Arrays.asList(a) : null;
        if (list == null) {
            throw new IllegalArgumentException("cannot make a deviceReq report of a "
                    + (body == null ? "null body" : body.getClass().getName())
                    + ": the body must be a Map of service data, an OceanConnectService, or a List of services");
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("a deviceReq report needs at least one service: the list is empty");
        }
        List<ObjectNode> out = new ArrayList<>();
        int i = 0;
        for (Object element : list) {
            out.add(listedService(element, i++));
        }
        return out;
    }

    private static ObjectNode listedService(Object element, int i) {
        if (element instanceof OceanConnectService s) {
            return service(s);
        }
        if (!(element instanceof Map<?, ?> m) || !(m.get("serviceId") instanceof String id)
                || !(m.get("serviceData") instanceof Map<?, ?> data)) {
            throw new IllegalArgumentException("service " + i + " of the list is not an OceanConnectService or a Map"
                    + " with a String serviceId and a Map serviceData");
        }
        ObjectNode node = service(new OceanConnectService(id, toMap(data)));
        m.forEach((k, v) -> {
            if (!"serviceId".equals(k) && !"serviceData".equals(k)) {
                node.set(String.valueOf(k), MAPPER.valueToTree(v));
            }
        });
        return node;
    }

    private static ObjectNode service(OceanConnectService s) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("serviceId", s.serviceId());
        node.set("serviceData", MAPPER.valueToTree(s.serviceData()));
        return node;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> toMap(Object o) {
        if (o instanceof JsonNode n) {
            return MAPPER.convertValue(n, LinkedHashMap.class);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        ((Map<?, ?>) o).forEach((k, v) -> m.put(String.valueOf(k), v));
        return m;
    }

    private static List<Object> toList(JsonNode array) {
        List<Object> list = new ArrayList<>();
        array.forEach(e -> list.add(e.isObject() ? toMap(e) : e));
        return list;
    }

    @Override
    public Object unmarshal(Exchange exchange, InputStream stream) throws Exception {
        byte[] bytes = stream.readAllBytes();
        String topic = exchange.getMessage().getHeader(CellMqttConstants.TOPIC, String.class);
        if (topic != null && topic.endsWith(BINARY_SUFFIX)) {
            return bytes;
        }
        JsonNode node = parse(bytes, topic == null ? "the command" : "the command on " + topic);
        if (!node.isObject()) {
            throw new IllegalArgumentException((topic == null ? "the command" : "the command on " + topic)
                    + " is JSON but not an object: " + node.getNodeType());
        }
        return unmarshalJsonNode ? node : toMap(node);
    }

    private static JsonNode parse(byte[] json, String what) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                throw new IllegalArgumentException(what + " is empty, not JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new IllegalArgumentException(what + " is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(what + " could not be read: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "OceanConnectDataFormat[serviceId=" + serviceId + ", identifier=" + identifier + "]";
    }
}
