<%= "root" %>
