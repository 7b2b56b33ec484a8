package io.cellmqtt.camel.oceanconnect;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry of a {@code deviceReq} report's {@code data} array: a service of the device's
 * profile and its property values.
 *
 * @param serviceId   the service id of the OceanConnect product profile, e.g. {@code Temperature}
 * @param serviceData property name to value (numbers, strings, booleans, nested maps and lists)
 */
public record OceanConnectService(String serviceId, Map<String, ?> serviceData) {

    /** @throws IllegalArgumentException if the service id is empty or the data missing */
    public OceanConnectService {
        if (serviceId == null || serviceId.isEmpty()) {
            throw new IllegalArgumentException("an OceanConnect serviceId must not be empty");
        }
        if (serviceData == null) {
            throw new IllegalArgumentException("serviceData of service " + serviceId + " is missing");
        }
        // Insertion order is kept: the JSON lists the properties as the caller put them.
        serviceData = Collections.unmodifiableMap(new LinkedHashMap<>(serviceData));
    }
}
